"""``geospacexr warmup``: compiles (or loads from the cache) the kernels of the chosen models."""

from geospacexr.cli import main


def test_warmup_a_subset_of_models(capsys):
    assert main(["warmup", "--models", "dipole,igrf"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["dipole", "igrf"]
    assert all(float(line.split()[1]) >= 0.0 for line in lines[:2])
    assert "cached on disk" in lines[-1]
    assert "compiling IGRF L*" in captured.err  # the progress bar names the step
    assert main(["warmup", "--models", "dipole", "--quiet"]) == 0
    assert "compiling" not in capsys.readouterr().err


def test_warmup_unknown_model_is_a_clean_error(capsys):
    assert main(["warmup", "--models", "t69"]) == 1
    err = capsys.readouterr().err
    assert "geospacexr: error:" in err
    assert "did you mean 't96' or 't89'" in err or "did you mean 't89' or 't96'" in err
