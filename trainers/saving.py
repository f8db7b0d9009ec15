"""What every trainer writes at the end: a plain transformers checkpoint, and its peak memory.

A LoRA run also keeps its adapter (``OUTPUT/adapter/``): a few MB that ``pr2_agent.policy_artifact``
packs into a shippable policy artifact, where the merged checkpoint is hundreds of MB."""

from __future__ import annotations

import resource
from pathlib import Path
from typing import Any

ADAPTER_DIRNAME = "adapter"


def save_final_model(trainer: Any, tokenizer: Any, output_dir: Path) -> None:
    """Write the trained policy as a plain transformers checkpoint (LoRA adapters merged)."""
    from peft import PeftModel

    model = trainer.accelerator.unwrap_model(trainer.model)
    if isinstance(model, PeftModel):
        if trainer.accelerator.is_main_process:
            model.save_pretrained(str(output_dir / ADAPTER_DIRNAME))
            merged = model.merge_and_unload()
            merged.save_pretrained(output_dir)
            tokenizer.save_pretrained(output_dir)
    else:
        trainer.save_model(str(output_dir))  # handles distributed state; saves the tokenizer too
    trainer.accelerator.wait_for_everyone()


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
