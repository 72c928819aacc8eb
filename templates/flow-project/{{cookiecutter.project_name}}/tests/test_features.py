import pytest

from {{ cookiecutter.project_name }}.features import evaluate, make_dataset, train_model


def test_make_dataset_is_reproducible():
    assert make_dataset(10, seed=1) == make_dataset(10, seed=1)
    assert make_dataset(10, seed=1) != make_dataset(10, seed=2)


def test_train_model_recovers_slope_and_intercept():
    a, b = train_model(make_dataset(500, seed=3))
    assert a == pytest.approx(3.0, abs=0.05)
    assert b == pytest.approx(1.0, abs=0.2)


def test_evaluate_is_small_for_a_good_model():
    data = make_dataset(200, seed=4)
    assert evaluate(train_model(data), data) < 0.1


def test_make_dataset_refuses_too_few_rows():
    with pytest.raises(ValueError):
        make_dataset(1, seed=0)
