/**
 * GPU presets: dense peaks (no sparsity) from NVIDIA's datasheets: https://www.nvidia.com/en-us/data-center/a100/,
 * /h100/ (the H800 is the H100 SXM with NVLink limited to 400 GB/s), /h200/, and /hgx/ for the HGX B200.
 * Achievable bandwidths are what a training job sees per GPU, not the spec sheet's bidirectional number:
 * DeepSeek-V3 (arXiv 2412.19437 §3.2.2) measured ≈160 GB/s NVLink and ≈50 GB/s InfiniBand per H800.
 */
import type { GpuSpec } from './config';

export const GPU_PRESETS: Readonly<Record<string, GpuSpec>> = {
  'a100-80gb': {
    id: 'a100-80gb',
    name: 'NVIDIA A100 SXM 80GB',
    family: 'ampere',
    bf16Tflops: 312,
    fp8Tflops: undefined,
    mxfp8: false,
    hbmGiB: 80,
    hbmTBps: 2.04,
    nvlinkSpecGBps: 600,
    // Measured, not a ratio of the spec: NCCL's own tuning model caps sm_80 bus bandwidth at 235 GB/s
    // (NVIDIA/nccl src/graph/tuning.cc, `if (compCap80) busBw = std::min(busBw, 235.0f)`), what nccl-tests
    // all_reduce_perf reports on DGX A100 (≈230-235 GB/s busbw, 8 GPUs, large messages).
    intraNodeGBps: 235,
    // One 200 Gb/s HDR NIC per GPU (DGX A100) ≈ 25 GB/s per direction.
    interNodeGBps: 25,
    sms: 108,
  },
  'h100-sxm': {
    id: 'h100-sxm',
    name: 'NVIDIA H100 SXM 80GB',
    family: 'hopper',
    bf16Tflops: 989,
    fp8Tflops: 1979,
    mxfp8: false,
    hbmGiB: 80,
    hbmTBps: 3.35,
    nvlinkSpecGBps: 900,
    intraNodeGBps: 360,
    // One 400 Gb/s NIC per GPU ≈ 50 GB/s per direction: DGX H100's 8 × ConnectX-7, and Llama 3's clusters
    // (arXiv 2407.21783 §3.3.1: 400 Gbps interconnects between GPUs).
    interNodeGBps: 50,
    sms: 132,
  },
  h800: {
    id: 'h800',
    name: 'NVIDIA H800 SXM 80GB',
    family: 'hopper',
    bf16Tflops: 989,
    fp8Tflops: 1979,
    mxfp8: false,
    hbmGiB: 80,
    hbmTBps: 3.35,
    nvlinkSpecGBps: 400,
    // DeepSeek-V3 report: NVLink 160 GB/s, IB 50 GB/s achievable.
    intraNodeGBps: 160,
    interNodeGBps: 50,
    sms: 132,
  },
  h200: {
    id: 'h200',
    name: 'NVIDIA H200 SXM 141GB',
    family: 'hopper',
    bf16Tflops: 989,
    fp8Tflops: 1979,
    mxfp8: false,
    hbmGiB: 141,
    hbmTBps: 4.8,
    nvlinkSpecGBps: 900,
    intraNodeGBps: 360,
    interNodeGBps: 50,
    sms: 132,
  },
  b200: {
    id: 'b200',
    name: 'NVIDIA B200 (HGX, 1000 W)',
    family: 'blackwell',
    bf16Tflops: 2250,
    fp8Tflops: 4500,
    mxfp8: true,
    hbmGiB: 180,
    hbmTBps: 8,
    nvlinkSpecGBps: 1800,
    intraNodeGBps: 720,
    // One 800 Gb/s NIC per GPU ≈ 100 GB/s per direction (ConnectX-8 class).
    interNodeGBps: 100,
    sms: 148,
  },
};

export const GPU_PRESET_IDS: readonly string[] = Object.keys(GPU_PRESETS);
