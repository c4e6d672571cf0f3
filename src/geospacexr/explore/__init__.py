"""Interactive explorers (Panel / HoloViews), imported only when used."""
