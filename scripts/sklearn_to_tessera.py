#!/usr/bin/python3
"""Converts a fitted scikit-learn classifier (optionally with its scaler) into a tessera model
file (JSON, include/tessera/learn/model_file.hpp), so that a model trained in Python predicts
in C++ — `tessera learn predict`, or inside a host code — with the same numbers.

Supported: KNeighborsClassifier (brute-force semantics), LogisticRegression, SVC (kernels rbf,
linear, poly, sigmoid; probabilities when fitted with probability=True),
GradientBoostingClassifier (loss "log_loss"/"deviance", the default prior init or init="zero"; its
trees node for node), and a Pipeline of a StandardScaler or MinMaxScaler followed by one of them.

As a module:
    from sklearn_to_tessera import to_tessera, save
    save(to_tessera(pipeline, features=["coord", "q6"], label="T"), "model.json")

As a command (the estimator pickled with pickle or joblib):
    scripts/sklearn_to_tessera.py model.pkl --features coord,q6 --label T -o model.json
"""
import argparse
import json
import pickle
import sys

import numpy as np


def _rows(a):
    return [[float(v) for v in row] for row in np.atleast_2d(np.asarray(a, dtype=float))]


def _ints(a):
    out = []
    for v in np.asarray(a).ravel():
        if float(v) != int(v):
            raise ValueError(f"class label {v!r} is not an integer (tessera's labels are integers)")
        out.append(int(v))
    return out


def _scaler(s):
    name = type(s).__name__
    if name == "StandardScaler":
        mean = s.mean_ if s.with_mean else np.zeros(s.n_features_in_)
        scale = s.scale_ if s.with_std else np.ones(s.n_features_in_)
        return {"kind": "standard", "mean": [float(v) for v in mean], "scale": [float(v) for v in scale]}
    if name == "MinMaxScaler":
        return {"kind": "minmax", "min": [float(v) for v in s.min_], "scale": [float(v) for v in s.scale_]}
    raise ValueError(f"unsupported scaler {name} (StandardScaler, MinMaxScaler)")


def _gradient_boosting(g):
    """The "gbt" object: classes, learning rate, the init raw score F_0 and every tree's arrays."""
    if g.loss not in ("log_loss", "deviance"):
        raise ValueError(f"GradientBoostingClassifier: loss {g.loss!r} is not supported (log_loss)")
    k = 1 if len(g.classes_) == 2 else len(g.classes_)
    probe = np.zeros((1, g.n_features_in_), dtype=np.float32)
    if g.init_ == "zero":
        init = np.zeros(k)
    elif type(g.init_).__name__ == "DummyClassifier" and g.init_.strategy == "prior":
        init = g._loss.get_init_raw_predictions(probe, g.init_)[0]  # sklearn's own F_0, to the bit
    else:
        raise ValueError("GradientBoostingClassifier: only the default (prior) or 'zero' init is supported")
    trees = []
    for stage in g.estimators_:
        for est in stage:
            t = est.tree_
            trees.append({"children_left": [int(v) for v in t.children_left],
                          "children_right": [int(v) for v in t.children_right],
                          "feature": [int(v) for v in t.feature],
                          "threshold": [float(v) for v in t.threshold],
                          "value": [float(v) for v in t.value[:, 0, 0]],
                          "impurity": [float(v) for v in t.impurity],
                          "n_node_samples": [int(v) for v in t.n_node_samples],
                          "weighted_n_node_samples": [float(v) for v in t.weighted_n_node_samples]})
    return {"classes": _ints(g.classes_), "learning_rate": float(g.learning_rate),
            "init": [float(v) for v in np.ravel(init)], "trees": trees}


def to_tessera(estimator, features, label=""):
    """The tessera model document (a dict) of a fitted estimator or Pipeline(scaler, estimator)."""
    scaler = {"kind": "none"}
    if type(estimator).__name__ == "Pipeline":
        steps = [s for _, s in estimator.steps if s not in (None, "passthrough")]
        if len(steps) == 2:
            scaler = _scaler(steps[0])
        elif len(steps) != 1:
            raise ValueError("a Pipeline must be (scaler, classifier) or (classifier)")
        estimator = steps[-1]
    features = list(features)
    if getattr(estimator, "n_features_in_", len(features)) != len(features):
        raise ValueError(f"the estimator has {estimator.n_features_in_} features, {len(features)} names were given")
    doc = {"format": "tessera-model", "version": 1, "features": features, "label": label, "scaler": scaler}
    name = type(estimator).__name__
    if name == "KNeighborsClassifier":
        if estimator.metric not in ("minkowski", "euclidean", "manhattan") or (
                estimator.metric == "minkowski" and estimator.p not in (1, 2)):
            raise ValueError("KNeighborsClassifier: only euclidean and manhattan metrics")
        manhattan = estimator.metric == "manhattan" or (estimator.metric == "minkowski" and estimator.p == 1)
        if estimator.weights not in ("uniform", "distance"):
            raise ValueError("KNeighborsClassifier: weights must be 'uniform' or 'distance'")
        doc["model"] = "knn"
        doc["knn"] = {"k": int(estimator.n_neighbors), "weights": estimator.weights,
                      "metric": "manhattan" if manhattan else "euclidean", "x": _rows(estimator._fit_X),
                      "y": _ints(estimator.classes_[estimator._y])}
    elif name == "LogisticRegression":
        doc["model"] = "logistic"
        doc["logistic"] = {"classes": _ints(estimator.classes_), "coef": _rows(estimator.coef_),
                           "intercept": [float(v) for v in estimator.intercept_]}
    elif name == "SVC":
        if estimator.kernel not in ("rbf", "linear", "poly", "sigmoid"):
            raise ValueError(f"SVC: unsupported kernel {estimator.kernel!r}")
        if len(estimator.classes_) > 2 and estimator.decision_function_shape != "ovo":
            pass  # tessera computes the one-vs-one values itself; the shape only affects sklearn's output
        doc["model"] = "svm"
        prob = bool(getattr(estimator, "probability", False))
        doc["svm"] = {"kernel": estimator.kernel, "gamma": float(estimator._gamma), "coef0": float(estimator.coef0),
                      "degree": int(estimator.degree), "classes": _ints(estimator.classes_),
                      "n_support": [int(v) for v in estimator.n_support_],
                      "support_vectors": _rows(estimator.support_vectors_), "dual_coef": _rows(estimator.dual_coef_),
                      "intercept": [float(v) for v in estimator.intercept_],
                      "prob_a": [float(v) for v in estimator.probA_] if prob else [],
                      "prob_b": [float(v) for v in estimator.probB_] if prob else []}
    elif name == "GradientBoostingClassifier":
        doc["model"] = "gbt"
        doc["gbt"] = _gradient_boosting(estimator)
    else:
        raise ValueError(f"unsupported estimator {name} (KNeighborsClassifier, LogisticRegression, SVC, "
                         "GradientBoostingClassifier)")
    return doc


def save(doc, path):
    """Writes the document; floats with 17 significant digits (exact round trip)."""
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("estimator", help="pickled (pickle or joblib) fitted estimator or Pipeline")
    ap.add_argument("--features", required=True, help="feature column names, comma-separated, in the training order")
    ap.add_argument("--label", default="", help="the label column's name (recorded in the model)")
    ap.add_argument("-o", "--output", required=True, help="the tessera model file to write (JSON)")
    a = ap.parse_args()
    try:
        import joblib
        est = joblib.load(a.estimator)
    except Exception:  # plain pickle
        with open(a.estimator, "rb") as f:
            est = pickle.load(f)
    try:
        save(to_tessera(est, a.features.split(","), a.label), a.output)
    except ValueError as e:
        print(f"sklearn_to_tessera: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
