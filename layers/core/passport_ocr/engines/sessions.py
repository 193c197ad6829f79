"""How every ONNX model here is opened: onnxruntime on the CPU, its threads set explicitly.

onnxruntime's default takes every core for one session; a Lambda or a benchmark on one core
wants exactly what `threads` says, and one inter-op thread (the models run no parallel branches).
"""

from __future__ import annotations

import threading
from pathlib import Path


def new_session(path: Path | str, threads: int):
    """An onnxruntime InferenceSession of the model at `path` (imported here, on first use:
    importing the engines costs no onnxruntime start-up)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


class SharedPerModelFile:
    """`shared(path, threads)`: one instance per class, model file and thread count in the
    process, so a model's weights are loaded once however many readers use it. Subclasses
    are built as `cls(path, threads)`."""

    _instances: dict[tuple[type, Path, int], "SharedPerModelFile"] = {}
    _instances_lock = threading.Lock()

    @classmethod
    def _shared(cls, model_path: Path | str, threads: int):
        key = (cls, Path(model_path).resolve(), threads)
        with SharedPerModelFile._instances_lock:
            if key not in SharedPerModelFile._instances:
                SharedPerModelFile._instances[key] = cls(key[1], threads)
            return SharedPerModelFile._instances[key]


class OnnxModelFile(SharedPerModelFile):
    """One ONNX model file and its session, opened on first use (`session`); `available` says
    whether the file is installed (a reader can do without an optional model)."""

    # What the model is, for the error when its file is missing, and where it is installed.
    description = "model"
    model_file: Path

    def __init__(self, model_path: Path | str | None = None, threads: int = 1):
        self.model_path = Path(model_path or self.model_file)
        self.threads = threads
        self._session = None
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, model_path: Path | str | None = None, threads: int = 1):
        """The process's instance for the model file (the installed one by default)."""
        return cls._shared(model_path or cls.model_file, threads)

    @property
    def available(self) -> bool:
        return self.model_path.exists()

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            if not self.model_path.exists():
                raise FileNotFoundError(f"{self.description} not found: {self.model_path}")
            self._session = new_session(self.model_path, self.threads)

    @property
    def session(self):
        if self._session is None:
            self.load()
        return self._session
