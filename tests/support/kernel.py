"""A real ipykernel driven through jupyter_client, with password prompts answered through stdin."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from jupyter_client.manager import KernelManager


@dataclass
class Run:
    """Everything one execution showed: streams, rich outputs, prompts, error."""

    stdout: str = ""
    stderr: str = ""
    outputs: list[dict] = field(default_factory=list)  # display_data / execute_result data bundles
    prompts: list[tuple[str, bool]] = field(default_factory=list)
    error: dict | None = None
    messages: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All that a user would read, in one string (for secret scans and assertions)."""
        parts = [self.stdout, self.stderr]
        for bundle in self.outputs:
            parts.extend(str(v) for v in bundle.values())
        if self.error:
            parts.append(self.error["ename"] + ": " + self.error["evalue"])
            parts.extend(self.error["traceback"])
        return "\n".join(parts)

    @property
    def plain(self) -> str:
        return "\n".join(b.get("text/plain", "") for b in self.outputs)

    def ok(self) -> Run:
        assert self.error is None, self.text
        return self


class Kernel:
    """One kernel process; `run` executes code and answers each input request from `answers`."""

    def __init__(self, env: dict[str, str], cwd: str | None = None) -> None:
        self.env = env
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(env=env, cwd=cwd or os.getcwd())
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.runs: list[Run] = []

    def run(
        self,
        code: str,
        answers: Iterable[str] | Callable[[str], str] = (),
        timeout: float = 120,
    ) -> Run:
        """Execute `code`; each stdin prompt takes the next answer (or answer(prompt))."""
        result = Run()
        pending = iter(answers) if not callable(answers) else None

        def on_iopub(msg: dict) -> None:
            result.messages.append(msg)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                if content["name"] == "stdout":
                    result.stdout += content["text"]
                else:
                    result.stderr += content["text"]
            elif kind in ("display_data", "execute_result", "update_display_data"):
                result.outputs.append(content["data"])
            elif kind == "error":
                result.error = content

        def on_stdin(msg: dict) -> None:
            prompt = msg["content"]["prompt"]
            result.prompts.append((prompt, msg["content"].get("password", False)))
            if callable(answers):
                value = answers(prompt)
            else:
                value = next(pending, None)  # type: ignore[arg-type]
                if value is None:
                    value = ""
            self.kc.input(value)

        reply = self.kc.execute_interactive(
            code, allow_stdin=True, stdin_hook=on_stdin, output_hook=on_iopub, timeout=timeout
        )
        if reply["content"]["status"] == "error" and result.error is None:
            result.error = {k: reply["content"].get(k, "") for k in ("ename", "evalue", "traceback")}
        self.runs.append(result)
        return result

    def value(self, expression: str) -> str:
        """The text of print(expression) in the kernel."""
        return self.run(f"print({expression})").ok().stdout.strip()

    def restart(self) -> None:
        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=60)

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
