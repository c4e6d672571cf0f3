"""Write the field-model table of docs/rb.md from the registry (geospacexr.rb.models.table).

Run ``python docs/make_model_table.py`` after registering or changing a built-in model;
``tests/rb/test_models_registry.py`` fails while the page and the registry disagree.
"""

from pathlib import Path

from geospacexr.rb import models

START, END = "<!-- field-models: start -->", "<!-- field-models: end -->"


def main() -> None:
    """Replace the text between the two markers of docs/rb.md with the registry's table."""
    page = Path(__file__).resolve().parent / "rb.md"
    text = page.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    page.write_text(f"{head}{START}\n{models.table()}\n{END}{tail}", encoding="utf-8")
    print(f"wrote the table of {len(models.list_models())} models into {page}")


if __name__ == "__main__":
    main()
