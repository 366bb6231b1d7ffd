"""Every server of the running stack listens on the loopback interface only."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

LISTEN = "0A"
LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


def listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_stack_servers_bind_loopback_only(stack):
    ports = dict(stack.stack.ports)
    ports.update({f"rasa-{i}": p for i, p in enumerate(stack.stack.rasa_ports)})
    assert {"hms", "actions", "gateway"} <= set(ports)
    for name, port in ports.items():
        addresses = listening_addresses(port)
        assert addresses, f"{name} is not listening on {port}"
        assert addresses == {LOOPBACK_V4}, f"{name} listens on {addresses}, not only 127.0.0.1"
