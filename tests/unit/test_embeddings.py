"""Sentence embeddings (`rehearse.models.embeddings`): the bundled model, one load per folder and device, errors."""

import numpy as np
import pytest

from rehearse.coach import examples
from rehearse.models.embeddings import SentenceEmbeddings
from rehearse.models.errors import ModelLoadError

pytestmark = pytest.mark.slow


def test_the_bundled_model_gives_unit_vectors_that_find_paraphrases():
    vectors = SentenceEmbeddings().encode(
        ["I'm so sorry about the delay.", "Apologies for the long wait.", "The invoice total is wrong."]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_one_load_per_folder_and_device():
    model = SentenceEmbeddings(device="cpu")
    assert model.device == "cpu" and model.load() is SentenceEmbeddings(model.path, "cpu").load()


def test_the_coach_judges_with_the_model_on_the_device_chosen():
    model = examples.preload("cpu")
    assert examples.loaded() and examples.embeddings() is model and model.device == "cpu"


def test_a_missing_model_folder_or_gpu_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="nor a sentence-transformers model folder"):
        SentenceEmbeddings(str(tmp_path))
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ModelLoadError, match="use --device auto or cpu"):
            SentenceEmbeddings(device="cuda").load()
