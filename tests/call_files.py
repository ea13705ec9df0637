"""Short real calls for the import tests, made from the realspeech set."""

from __future__ import annotations

import numpy as np
import soundfile as sf


def headset_call(realspeech, start_s: float, end_s: float, path):
    """Two AMI close-talk headsets (MEO015 left, FEE016 right) as one stereo call."""
    folder = realspeech / "disfluent"
    left, rate = sf.read(folder / "dis_ami_seriously_source0_MEO015.wav", dtype="float32")
    right, _ = sf.read(folder / "dis_ami_seriously_source3_FEE016.wav", dtype="float32")
    a, b = int(start_s * rate), int(end_s * rate)
    sf.write(path, np.stack([left[a:b], right[a:b]], axis=1), rate)
    return path
