"""govsim: a local replica of the Chinese government web, for tests, the demo and benchmarks.

Public surface: :func:`govsim.testing.running_govsim`, :class:`govsim.client.GovsimClient`,
:mod:`govsim.render` (page renderers without a server), :class:`govsim.world.World`, and the
``govsim.cli`` click group. See docs/govsim.md.
"""
