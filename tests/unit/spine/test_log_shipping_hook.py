import pytest

from components.log_shipping_hook import LogGroupRegistration, LogShippingHook


class Sink:
    def __init__(self):
        self.names = []

    def subscribe(self, registration):
        self.names.append(registration.name)


def reg(name, ship=True):
    return LogGroupRegistration(service="s", part=name.rsplit("/", 1)[-1], name=name, log_group=None, owner=None,
                                ship=ship)


def test_a_late_sink_receives_every_earlier_shippable_registration_once():
    hook = LogShippingHook()
    hook.register(reg("/p/dev/a/x"))
    hook.register(reg("/p/dev/a/own", ship=False))
    sink = Sink()
    hook.attach(sink)
    hook.register(reg("/p/dev/b/y"))
    assert sink.names == ["/p/dev/a/x", "/p/dev/b/y"]
    assert [r.name for r in hook.registrations] == ["/p/dev/a/x", "/p/dev/a/own", "/p/dev/b/y"]


def test_a_log_group_cannot_be_registered_twice_and_only_one_sink_attaches():
    hook = LogShippingHook()
    hook.register(reg("/p/dev/a/x"))
    with pytest.raises(ValueError, match="registered twice"):
        hook.register(reg("/p/dev/a/x"))
    hook.attach(Sink())
    with pytest.raises(ValueError, match="already attached"):
        hook.attach(Sink())
