"""Finding CTranslate2's CUDA 12 libraries in pip wheels (`models.cuda_libs`); telling GPU failures apart."""

import _sqlite3
import ctypes
import shutil

import pytest

from rehearse.models import cuda_libs, device


def _wheel_root(tmp_path, *names):
    """A site-packages folder with the nvidia-cublas-cu12 layout; each file is a real shared library."""
    lib = tmp_path / "nvidia" / "cublas" / "lib"
    lib.mkdir(parents=True)
    for name in names:
        shutil.copyfile(_sqlite3.__file__, lib / name)
    return tmp_path


def _system_has(name: str) -> bool:
    try:
        ctypes.CDLL(name)
        return True
    except OSError:
        return False


def test_the_wheel_libraries_are_found_and_loaded_from_site_packages(tmp_path):
    root = _wheel_root(tmp_path, "libcublasLt.so.12", "libcublas.so.12", "README")
    assert cuda_libs.wheel_dirs([str(root)]) == [root / "nvidia" / "cublas" / "lib"]
    assert cuda_libs.locate([str(root)]) == {"libcublas.so.12": str(root / "nvidia/cublas/lib/libcublas.so.12")}
    found = cuda_libs.preload((str(root),))
    assert found.found["libcublas.so.12"] == str(root / "nvidia/cublas/lib/libcublas.so.12")
    assert "libcublas.so.12 from " + str(root) in found.describe()


def test_a_missing_library_is_named_with_the_install_command(tmp_path):
    if _system_has("libcublas.so.12"):
        pytest.skip("this machine's loader finds a system libcublas.so.12")
    found = cuda_libs.preload((str(tmp_path),))
    assert "libcublas.so.12" in found.missing
    assert (
        "libcublas.so.12" in found.describe()
        and "not found" in found.describe()
        and "pip install 'rehearse[gpu]'" in found.describe()
    )


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("CUDA failed with error out of memory"),
        RuntimeError("cuBLAS failed with status CUBLAS_STATUS_EXECUTION_FAILED"),
        RuntimeError("CUDA error: an illegal memory access was encountered"),
        OSError("libcudnn_ops.so.9: cannot open shared object file"),
    ],
)
def test_gpu_failures_are_told_apart(error):
    assert device.is_gpu_failure(error)


@pytest.mark.parametrize("error", [ValueError("CUDA"), RuntimeError("audio is empty"), KeyError("cuda")])
def test_other_errors_are_not_gpu_failures(error):
    assert not device.is_gpu_failure(error)
