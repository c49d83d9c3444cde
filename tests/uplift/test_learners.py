"""T- and X-learners find who the offer changes on a simulated randomised campaign."""

import numpy as np
import pandas as pd
import pytest

from c360.uplift.learners import fit_uplift


def simulated_campaign(n: int = 3_000, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    """Retention 60%; the offer adds 30 points only where x1 > 0 (half of the customers)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)})
    true_effect = np.where(frame["x1"] > 0, 0.3, 0.0)
    frame["treated"] = rng.random(n) < 0.5
    p = 0.6 + true_effect * frame["treated"]
    frame["retained"] = rng.random(n) < p
    return frame, true_effect


@pytest.mark.parametrize("learner", ["t", "x"])
def test_learner_ranks_persuadable_customers_first(learner):
    frame, _ = simulated_campaign()
    model = fit_uplift(frame, ["x1", "x2"], learner=learner, seed=1)
    test, true_effect = simulated_campaign(n=2_000, seed=9)
    predicted = model.predict(test)
    assert np.corrcoef(predicted, true_effect)[0, 1] > 0.5
    assert predicted[true_effect > 0].mean() == pytest.approx(0.3, abs=0.1)
    assert predicted[true_effect == 0].mean() == pytest.approx(0.0, abs=0.1)


def test_one_arm_only_is_refused():
    frame, _ = simulated_campaign(n=200)
    frame["treated"] = True
    with pytest.raises(ValueError, match="both treated and control"):
        fit_uplift(frame, ["x1", "x2"])


def test_unknown_learner_is_refused():
    frame, _ = simulated_campaign(n=200)
    with pytest.raises(ValueError, match="unknown learner"):
        fit_uplift(frame, ["x1", "x2"], learner="s")
