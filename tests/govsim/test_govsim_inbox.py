"""govsim's local webhook records what a real receiver would accept as delivered, nothing else."""

import http.client
import json
import socket
import time
import urllib.request

from govsim.inbox import LocalWebhook


def post_json(webhook: LocalWebhook, payload: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"http://{webhook.host}:{webhook.port}/hook",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return int(response.status)


def test_a_body_cut_off_by_a_killed_sender_is_not_a_delivery() -> None:
    with LocalWebhook() as webhook:
        with socket.create_connection((webhook.host, webhook.port), timeout=5) as sender:
            body = b'{"title": "[New] half'
            head = f"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body) + 40}\r\n\r\n"
            sender.sendall(head.encode() + body)
        # A whole POST after it is recorded, so the server is alive and the cut one was dropped.
        assert post_json(webhook, {"title": "[New] whole"}) == 200
        deadline = time.monotonic() + 5
        while len(webhook.posts) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [p["json"] for p in webhook.posts] == [{"title": "[New] whole"}]


def test_one_kept_alive_connection_carries_many_posts_and_is_counted() -> None:
    with LocalWebhook() as webhook:
        connection = http.client.HTTPConnection(webhook.host, webhook.port, timeout=5)
        statuses = []
        for n in range(3):
            connection.request(
                "POST", "/hook", body=json.dumps({"n": n}), headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            assert response.read() == b'{"ok": true}'
            statuses.append(response.status)
        connection.close()
        assert statuses == [200, 200, 200]
        assert [p["json"] for p in webhook.posts] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert webhook.connections == 1


def test_a_stopped_webhook_answers_no_one_over_a_connection_kept_alive() -> None:
    webhook = LocalWebhook().start()
    connection = http.client.HTTPConnection(webhook.host, webhook.port, timeout=5)
    connection.request("POST", "/hook", body=b"{}", headers={"Content-Type": "application/json"})
    assert connection.getresponse().read() == b'{"ok": true}'
    webhook.stop()
    try:
        connection.request("POST", "/hook", body=b"{}", headers={"Content-Type": "application/json"})
        connection.getresponse()
    except (OSError, http.client.HTTPException):
        pass
    else:
        raise AssertionError("a stopped webhook answered")
    assert len(webhook.posts) == 1
