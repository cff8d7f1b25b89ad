"""``python tests/_voila.py ARGS`` is ``python -m voila ARGS`` with every kernel client's waits
in short polls (:mod:`_kernel_polling`): the browser tests' Voila server.

Without it, a page stalled at "Executing 15 of 16" in about one load in three while the whole
suite ran (upstream voila issues #1395 and #1428), although the kernel was idle: most likely the
missed wake-up that the notebook harness met (Voila's executor waits with no timeout, so a miss
never ends). A message found only when a poll times out is reported on stderr (the server's log).
"""

if __name__ == "__main__":  # never on import (pytest's --doctest-modules imports it)
    import functools
    import sys
    import time

    from jupyter_client.channels import AsyncZMQSocketChannel
    from voila.app import main

    from _kernel_polling import in_steps

    wait = AsyncZMQSocketChannel.get_msg

    async def timed(channel, timeout):
        t0 = time.monotonic()
        msg = await wait(channel, timeout=timeout)
        if timeout and time.monotonic() - t0 >= 0.99 * timeout:  # found only when the poll timed out
            print(f"[tests/_voila.py] a {msg['msg_type']!r} message was found only at the end of a "
                  f"{timeout:g} s poll (a missed wake-up)", file=sys.stderr, flush=True)
        return msg

    def get_msg(self, timeout=None):
        return in_steps(functools.partial(timed, self))(timeout)

    AsyncZMQSocketChannel.get_msg = get_msg
    main()
