"""Embeddings: the bundled WordLlama model (offline), or an OpenAI-compatible endpoint."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.config import Settings
from advisor.errors import ConfigError, RetrievalError

if TYPE_CHECKING:
    from wordllama import WordLlama

#: Texts embedded per WordLlama call; large batches amortise the per-call overhead.
_BATCH = 512


@functools.lru_cache(maxsize=1)
def _wordllama() -> WordLlama:
    """Load WordLlama's model from inside the installed package, never from the network."""
    try:
        import wordllama
        from wordllama import WordLlama

        package_dir = Path(wordllama.__file__).resolve().parent
        return WordLlama.load(cache_dir=package_dir, disable_download=True)
    except Exception as exc:  # the loader raises bare ValueError/OSError/FileNotFoundError
        raise RetrievalError(
            f"cannot load the bundled WordLlama model ({exc}): reinstall it with "
            "`pip install --force-reinstall wordllama`, or set ADVISOR_EMBEDDINGS=openai"
        ) from exc


@functools.lru_cache(maxsize=1)
def _unpadded_tokenizer() -> Any:
    """A copy of WordLlama's tokenizer without padding (the model's own one pads batches)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(_wordllama().tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def _pool(texts: list[str]) -> np.ndarray:
    """WordLlama's average pooling of token embeddings, as a sparse count matrix product.

    Same vectors as ``WordLlama.embed`` (to ~1e-7) at about a quarter of the CPU time: the
    model pads every batch to its longest text and materialises (batch, tokens, dim).
    """
    from scipy import sparse

    table = _wordllama().embedding
    encoded = _unpadded_tokenizer().encode_batch(texts, is_pretokenized=False,
                                                 add_special_tokens=False)
    lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(encoded))
    ids = np.fromiter((i for e in encoded for i in e.ids), dtype=np.int64,
                      count=int(lengths.sum()))
    np.clip(ids, 0, table.shape[0] - 1, out=ids)
    rows = np.repeat(np.arange(len(texts)), lengths)
    counts = sparse.csr_matrix((np.ones(len(ids), dtype=np.float32), (rows, ids)),
                               shape=(len(texts), table.shape[0]))
    pooled = np.asarray(counts @ table, dtype=np.float32)
    return pooled / np.maximum(lengths, 1)[:, None].astype(np.float32)


def word_vectors(words: list[str]) -> np.ndarray:
    """Unit vectors of single words from WordLlama's static token table (mean of subwords).

    Offline and model-free at query time: used by the lexical index to expand a query with
    near-synonyms from the corpus vocabulary (bodycam ~ body-worn).
    """
    if not words:
        return np.zeros((0, 0), dtype=np.float32)
    try:
        return _normalise(_pool(words))
    except Exception as exc:
        raise RetrievalError(f"WordLlama could not embed {len(words)} word(s): {exc}; "
                             "reinstall it with `pip install --force-reinstall wordllama`"
                             ) from exc


class WordLlamaEmbeddings(Embeddings):
    """LangChain embeddings over WordLlama's bundled 256-dim model; vectors are unit length."""

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` as a float32 array of shape (len(texts), dim), rows normalised."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        try:
            vectors = np.concatenate([_pool(texts[at:at + _BATCH])
                                      for at in range(0, len(texts), _BATCH)])
        except RetrievalError:
            raise
        except Exception as exc:
            raise RetrievalError(
                f"WordLlama could not embed {len(texts)} text(s): {exc}; check the corpus text "
                "is valid UTF-8"
            ) from exc
        return _normalise(vectors)

    @property
    def dimension(self) -> int:
        """Width of the vectors (256 for the bundled model)."""
        return int(_wordllama().embedding.shape[1])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents for storage."""
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a query."""
        return self.embed_array([text])[0].tolist()


class _OpenAIEmbeddings(Embeddings):
    """OpenAI-compatible embeddings whose vendor errors become RetrievalError."""

    def __init__(self, inner: Embeddings, base_url: str | None):
        self._inner = inner
        self._where = base_url or "the OpenAI API"

    def _fail(self, exc: Exception) -> RetrievalError:
        return RetrievalError(
            f"embeddings endpoint {self._where} failed ({type(exc).__name__}: {exc}): check "
            "ADVISOR_EMBEDDINGS_BASE_URL / ADVISOR_EMBEDDINGS_API_KEY, or unset "
            "ADVISOR_EMBEDDINGS to use the bundled model"
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents for storage, normalised."""
        try:
            vectors = self._inner.embed_documents(texts)
        except Exception as exc:
            raise self._fail(exc) from exc
        return _normalise(np.asarray(vectors, dtype=np.float32)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a query, normalised."""
        try:
            vector = self._inner.embed_query(text)
        except Exception as exc:
            raise self._fail(exc) from exc
        return _normalise(np.asarray([vector], dtype=np.float32))[0].tolist()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def embed_array(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Embed documents with any LangChain Embeddings as a float32 array."""
    if isinstance(embeddings, WordLlamaEmbeddings):
        return embeddings.embed_array(texts)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    try:
        return np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    except RetrievalError:
        raise
    except Exception as exc:
        raise RetrievalError(
            f"the embeddings model failed on {len(texts)} text(s): {exc}"
        ) from exc


def make_embeddings(settings: Settings) -> Embeddings:
    """The embeddings the settings ask for (WordLlama unless ADVISOR_EMBEDDINGS=openai)."""
    if settings.embeddings == "wordllama":
        return WordLlamaEmbeddings()
    try:
        from langchain_openai import OpenAIEmbeddings
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConfigError(
            "ADVISOR_EMBEDDINGS=openai needs langchain-openai: `pip install langchain-openai`"
        ) from exc
    kwargs: dict[str, Any] = {"model": settings.embeddings_model, "max_retries": 1}
    if settings.embeddings_base_url:
        kwargs["base_url"] = settings.embeddings_base_url
        # Non-OpenAI servers do not understand tiktoken token ids; send plain text.
        kwargs["check_embedding_ctx_length"] = False
    kwargs["api_key"] = settings.embeddings_api_key or "not-needed"
    try:
        inner = OpenAIEmbeddings(**kwargs)
    except Exception as exc:
        raise ConfigError(
            f"cannot configure OpenAI embeddings ({exc}): check ADVISOR_EMBEDDINGS_MODEL, "
            "ADVISOR_EMBEDDINGS_BASE_URL and ADVISOR_EMBEDDINGS_API_KEY"
        ) from exc
    return _OpenAIEmbeddings(inner, settings.embeddings_base_url)


__all__ = ["WordLlamaEmbeddings", "embed_array", "make_embeddings", "word_vectors"]
