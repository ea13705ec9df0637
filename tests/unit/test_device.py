import ctranslate2
import pytest

from rehearse.models import cuda_libs, device


@pytest.fixture(autouse=True)
def _fresh_cache():
    device.ctranslate2_device.cache_clear()
    yield
    device.ctranslate2_device.cache_clear()


def test_physical_cores_is_positive():
    assert device.physical_cores() >= 1


def test_whisper_leaves_one_core_to_the_live_loop():
    assert [device.cpu_threads(cores) for cores in (1, 2, 4, 8)] == [1, 1, 3, 7]


def test_cpu_when_no_gpu(monkeypatch):
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    choice = device.ctranslate2_device("auto")
    assert (choice.device, choice.compute_type) == ("cpu", "int8")
    assert choice.threads == device.cpu_threads(device.physical_cores())
    assert "no CUDA GPU" in choice.reason


def test_gpu_without_cublas12_falls_back_and_says_why(monkeypatch):
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    missing = cuda_libs.CudaLibraries({"libcudnn.so.9": "system"}, ("libcublas.so.12",))
    monkeypatch.setattr(cuda_libs, "preload", lambda: missing)
    choice = device.ctranslate2_device("auto")
    assert choice.device == "cpu"
    assert "libcublas.so.12 not found" in choice.reason and "rehearse[gpu]" in choice.reason
    device.ctranslate2_device.cache_clear()
    with pytest.raises(RuntimeError, match="libcublas.so.12"):
        device.ctranslate2_device("cuda")


def test_gpu_with_libraries_is_chosen(monkeypatch):
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 2)
    found = cuda_libs.CudaLibraries({"libcublas.so.12": "/x/libcublas.so.12", "libcudnn.so.9": "/y/libcudnn.so.9"}, ())
    monkeypatch.setattr(cuda_libs, "preload", lambda: found)
    choice = device.ctranslate2_device("auto")
    assert (choice.device, choice.compute_type) == ("cuda", "float16")
    assert "libcublas.so.12 from /x/libcublas.so.12" in choice.reason


def test_model_auto_keeps_the_live_target_on_each_device():
    from rehearse.models.registry import choose_whisper

    assert choose_whisper("cpu")[0] == "tiny.en" and "500 ms" in choose_whisper("cpu")[1]
    assert choose_whisper("cuda")[0] == "base"
