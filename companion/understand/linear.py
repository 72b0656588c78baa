"""A one-vs-rest logistic model over sentence embeddings and the words said, trained once at
build time (scripts/build_exemplars.py) and stored with the exemplar bank: plain numpy,
deterministic."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

EPOCHS = 600
RATE = 4.0
"""Full-batch gradient-descent steps and step size."""
L2 = 1e-4
POSITIVE_WEIGHT = 5.0
"""A label's examples count this much more than the rest (each label has few)."""


WORD_SLOTS = 4096
"""Words and word pairs are hashed (CRC-32) into this many features."""
WORDS_WEIGHT = 1.0
"""The words' share beside the embedding (leave-set-out over held-out sets 3-9, skills F1:
embedding alone 0.905, with the words 0.935)."""
COMMON = frozenset(("i", "a", "the", "and", "to", "my", "of", "it", "was", "in", "that", "so",
                    "on", "for", "me", "with", "just", "like", "um", "uh", "then", "did"))
"""Words too common to tell skills apart (still part of word pairs)."""


def words(texts: Sequence[str]) -> Any:
    """Each text's words (but COMMON) and neighbouring word pairs, hashed, L2-normalised."""
    import numpy as np

    out = np.zeros((len(texts), WORD_SLOTS), dtype=np.float32)
    for row, text in enumerate(texts):
        said = re.findall(r"[a-z']+", text.lower())
        keys = [w for w in said if w not in COMMON] + [f"{a}_{b}" for a, b in pairwise(said)]
        for key in keys:
            out[row, zlib.crc32(key.encode()) % WORD_SLOTS] = 1.0
        norm = float(np.linalg.norm(out[row]))
        if norm:
            out[row] /= norm
    return out


def features(vectors: Any, texts: Sequence[str]) -> Any:
    """What the model reads: the sentence embeddings, then the words said (WORDS_WEIGHT)."""
    import numpy as np

    return np.hstack([np.asarray(vectors, dtype=np.float32), WORDS_WEIGHT * words(texts)])


def train(vectors: Any, targets: Any) -> tuple[Any, Any]:
    """Weights (dims x labels) and biases (labels) for multi-hot `targets` (rows x labels)."""
    import numpy as np

    x = np.asarray(vectors, dtype=np.float32)
    y = np.asarray(targets, dtype=np.float32)
    weights = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    emphasis = np.where(y == 1, POSITIVE_WEIGHT, 1.0).astype(np.float32)
    for _ in range(EPOCHS):
        error = (probabilities(weights, bias, x) - y) * emphasis
        weights -= RATE * (x.T @ error / len(x) + L2 * weights)
        bias -= RATE * error.mean(axis=0)
    return weights, bias


def probabilities(weights: Any, bias: Any, vectors: Any) -> Any:
    """Each label's probability for each vector (rows x labels)."""
    import numpy as np

    return 1.0 / (1.0 + np.exp(-(np.asarray(vectors) @ weights + bias)))


def targets(labels: list[list[str]], classes: list[str]) -> Any:
    """Multi-hot rows for exemplars' label lists ('none' rows are all zeros)."""
    import numpy as np

    return np.array([[1.0 if c in each else 0.0 for c in classes] for each in labels],
                    dtype=np.float32)
