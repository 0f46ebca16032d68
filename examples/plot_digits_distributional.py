"""
==================================================
Forgetting a digit by deleting a few of its images
==================================================

Distributional unlearning (Allouah, Guerraoui and Koyejo): some training rows
come from a domain to forget (here, images of the digit 3). Deleting *all* of
them is one option; deleting a well-chosen part of them can move a refitted
model as far from the domain while keeping the rest of the data intact.
:class:`~sklearn_unlearn.DistributionalSelector` ranks the forget rows and
deletes the top ones; :class:`~sklearn_unlearn.metrics.DeletionCurveDisplay`
shows, for every budget, how far the fitted (Gaussian) model moves from the
forgotten domain and from the kept one.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.metrics import DeletionCurveDisplay

X, digit = load_digits(return_X_y=True)
X = PCA(n_components=10, random_state=0).fit_transform(X)
forget = digit == 3
print(f"{forget.sum()} images of a 3 among {len(X)}")

# %%
# Two rankings, the same data
# ---------------------------
display = None
for score in ["likelihood_ratio", "random"]:
    selector = DistributionalSelector(score, budget=0.3, random_state=0).fit(
        X, forget_mask=forget
    )
    print(
        f"{score:>16}: kappa = KL(forget || kept) = {selector.kappa_:.2f}; "
        f"deleting {selector.n_deleted_} rows gives "
        f"KL(forget || edited) = {selector.achieved_alpha_:.2f}, "
        f"KL(kept || edited) = {selector.achieved_epsilon_:.3f}"
    )
    display = DeletionCurveDisplay.from_estimator(
        selector, X, ax=None if display is None else display.ax_
    )
display.ax_.set_title("Digits (10 PCA components): forget the 3s")
plt.show()

# %%
# The 3s are far from the other digits (``kappa`` is large), so deleting a
# third of them moves the fitted model far from the digit whatever the order:
# here the likelihood-ratio ranking gains little over a random one. The ranking
# matters when the domains overlap (small ``kappa``): there
# ``benchmarks/bench_selection.py`` measures that it needs 4-8% of the forget
# set where a random order needs 65% for the same effect. The dotted frontier
# is the best any edit of the data could do at the same cost.
