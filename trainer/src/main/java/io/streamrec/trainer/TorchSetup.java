package io.streamrec.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch engine and device set-up: intra-op threads ({@code trainer.torch.threads}, one inter-op
 * thread; system properties set on the command line win) and the device ({@code trainer.device=gpu}
 * is CUDA when PyTorch sees a device, else the CPU with a warning).
 */
final class TorchSetup {
  private static final Logger log = LoggerFactory.getLogger(TorchSetup.class);

  private TorchSetup() {}

  /** Loads the engine with the configured threads and returns the device to train on. */
  static Device configure(TrainerConfig cfg) {
    String threads = Integer.toString(cfg.torchThreads());
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", threads);
    }
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    Engine engine = Engine.getEngine("PyTorch");
    try {
      JniUtils.setNumThreads(cfg.torchThreads());
    } catch (RuntimeException e) {
      log.debug("Could not set torch threads: {}", e.toString());
    }
    if (cfg.device().equals("gpu")) {
      if (engine.getGpuCount() > 0) {
        return Device.gpu();
      }
      log.warn("trainer.device=gpu but PyTorch sees no CUDA device; training on the CPU");
    }
    return Device.cpu();
  }
}
