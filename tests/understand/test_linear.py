"""The linear model's inputs and training (plain numpy, no encoder needed)."""

from __future__ import annotations

import numpy as np

from companion.understand import linear


def test_words_are_hashed_normalised_and_repeatable():
    rows = linear.words(["i held ice on my face", "i held ice on my face", "the", ""])
    assert rows.shape == (4, linear.WORD_SLOTS)
    assert np.allclose(np.linalg.norm(rows[0]), 1.0) and np.array_equal(rows[0], rows[1])
    assert not rows[2].any() and not rows[3].any()  # only common words, or nothing said


def test_word_pairs_keep_the_order_said():
    ab, ba = linear.words(["cold water", "water cold"])
    assert ab @ ba < 1.0  # same words, different pair


def test_features_put_the_words_after_the_embedding():
    vectors = np.ones((2, 3), dtype=np.float32)
    both = linear.features(vectors, ["paced breathing", "a hot bath"])
    assert both.shape == (2, 3 + linear.WORD_SLOTS)
    assert np.array_equal(both[:, :3], vectors)


def test_a_label_is_learnt_from_the_words_when_the_embeddings_say_nothing():
    texts = ["i splashed cold water", "cold water on my face", "i took a hot bath",
             "a long hot bath", "i did nothing"]
    labels = [["tipp"], ["tipp"], ["self_soothe"], ["self_soothe"], ["none"]]
    classes = ["self_soothe", "tipp"]
    flat = np.zeros((len(texts), 4), dtype=np.float32)
    weights, bias = linear.train(linear.features(flat, texts), linear.targets(labels, classes))
    new = linear.features(np.zeros((2, 4), dtype=np.float32), ["more cold water", "hot bath"])
    chances = linear.probabilities(weights, bias, new)
    assert chances[0, 1] > 0.5 > chances[0, 0] and chances[1, 0] > 0.5 > chances[1, 1]
