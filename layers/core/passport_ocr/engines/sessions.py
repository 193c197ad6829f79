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
