"""Writes the text detector quantized to 8-bit integers, which the visual zone uses when present.

    python scripts/quantize_detector.py [--pages 40] [--seed 11] [--out PATH]

Needs the `onnx` package (a build-time tool only: the service runs the result with onnxruntime
alone). The detector is a convolutional network whose cost is nearly all multiply-adds: with
8-bit weights and activations onnxruntime runs it several times faster on one core, and DB's
thresholded probability map changes little. The recogniser is not quantized: its outputs
change far more (a quarter of the per-frame best classes differ) for a small gain.

Calibration (the range of each activation) uses the detector's inputs on generated pages of
another seed than the benchmark's (7), made exactly as the pipeline makes them: the page
located from the MRZ, at the detection scale of its format.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

# The benchmark's conditions (bench/run.py), so calibration sees clean and degraded pages alike.
SYNTH_CONDITIONS = ("clean", "scan", "lowres", "photo", "heavy")


def calibration_inputs(pages: int, seed: int) -> list:
    from passport_synth import REFERENCE_DATE, generate
    from passport_synth.generate import pick_format

    from passport_ocr.engines import get_engine
    from passport_ocr.extract import best_mrz_reading
    from passport_ocr.imaging.load import load_image
    from passport_ocr.settings import Settings
    from passport_ocr.viz.local_text import LocalPageText

    settings = Settings(engine="local", ocr_threads=1)
    engine = get_engine(settings)
    reader = LocalPageText.shared(1, None)
    inputs = []
    for index in range(pages):
        doc_format = pick_format(seed, index)
        sample = generate(seed * 100_000 + index, SYNTH_CONDITIONS[index % len(SYNTH_CONDITIONS)], doc_format)
        image = load_image(sample.data, max_bytes=settings.max_input_bytes, max_pixels=settings.max_pixels)
        try:
            _, reading = best_mrz_reading(engine, image, REFERENCE_DATE)
        except Exception:  # noqa: BLE001 - a page without a readable MRZ has no page to detect on
            continue
        if reading.geometry is None:
            continue
        inputs.append(reader.detector_input(image, reading.geometry, doc_format))
    return inputs


def main(argv: list[str] | None = None) -> int:
    from passport_ocr.viz.detect import INT8_DETECTOR
    from passport_ocr.viz.models import model_path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11, help="generated calibration pages (not the benchmark's seed)")
    parser.add_argument("--out", type=Path, default=INT8_DETECTOR)
    # The last convolutions draw the probability map DB thresholds: in 8 bits they moved more
    # values across the threshold (on the 200 bench pages: 1 place of birth fewer than with
    # them in float, for 0.017 s less per page).
    parser.add_argument("--float-head", type=int, default=4,
                        help="leave the last N convolutions (the probability head) in float")
    # Weights in 7 bits (reduce_range): on CPUs without VNNI (AVX2 only), onnxruntime's u8 x s8
    # products saturate with full 8-bit weights, and the detector lost half the lines of
    # low-resolution and noisy pages there (16 boxes of the float model's 36 on one page; on
    # an AMD EPYC with AVX2 only, seed 7 whole record 55.5 %, where earlier sessions' machine
    # had measured 64.0 % with the same file). With 7 bits: 33 of 36, and the benchmark there
    # as with the float model.
    parser.add_argument("--no-reduce-range", dest="reduce_range", action="store_false",
                        help="quantize weights to the full 8 bits (saturates on AVX2-only CPUs)")
    args = parser.parse_args(argv)

    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    inputs = calibration_inputs(args.pages, args.seed)
    print(f"calibrating on {len(inputs)} pages", file=sys.stderr)
    source = onnx.load(str(model_path("det")))
    input_name = source.graph.input[0].name

    class Pages(CalibrationDataReader):
        def __init__(self) -> None:
            self._inputs = iter(inputs)

        def get_next(self):
            tensor = next(self._inputs, None)
            return None if tensor is None else {input_name: tensor}

    out = args.out.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # the quantizer leaves scratch files in the working directory
        # Per-channel weight scales need DequantizeLinear's axis (opset 13).
        upgraded = Path(tmp) / "det_opset13.onnx"
        onnx.save(version_converter.convert_version(source, 13), str(upgraded))
        prepared = Path(tmp) / "det_prepared.onnx"
        quant_pre_process(str(upgraded), str(prepared), skip_symbolic_shape=True)
        convolutions = [n.name for n in onnx.load(str(prepared)).graph.node if n.op_type in ("Conv", "ConvTranspose")]
        float_nodes = convolutions[len(convolutions) - args.float_head :] if args.float_head else []
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_static(
            str(prepared),
            str(out),
            Pages(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=float_nodes,
            reduce_range=args.reduce_range,
        )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
