"""The chat endpoint end to end with the built-in agent: through nginx to PostgreSQL, the agent's tool calls change
the real task list, the conversation is stored in order, users stay isolated, and bad input never gives a 500."""

import uuid

from api import bearer, signed_up


def signed_in(stack):
    """A fresh account's Authorization headers."""
    _, token, _ = signed_up(stack)
    return bearer(token)


def chat(stack, headers, message, conversation_id=None):
    body = {"message": message} if conversation_id is None else {"message": message,
                                                                   "conversation_id": conversation_id}
    response = stack.post("/api/chat", json=body, headers=headers)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert set(reply) == {"conversation_id", "response", "tool_calls"}
    return reply


def tasks(stack, headers, status="all"):
    response = stack.get("/api/tasks", params={"status": status}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["tasks"]


def assert_error(response, status, code):
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code, response.text


def test_add_complete_and_follow_up_change_the_real_task_list(shared_stack):
    me = signed_in(shared_stack)

    added = chat(shared_stack, me, "add buy milk")
    [task] = tasks(shared_stack, me)
    assert task["title"] == "buy milk" and not task["completed"]
    assert added["tool_calls"] == [{"name": "add_task", "arguments": {"title": "buy milk"},
                                    "result": {"task": task}}]
    assert f"task {task['id']}" in added["response"]
    conversation = added["conversation_id"]

    done = chat(shared_stack, me, "mark buy milk done", conversation)
    assert done["conversation_id"] == conversation
    assert [call["name"] for call in done["tool_calls"]] == ["complete_task"]
    assert done["tool_calls"][0]["arguments"] == {"task_id": task["id"]}
    assert [t["id"] for t in tasks(shared_stack, me, "completed")] == [task["id"]]

    # A follow-up names no task: the agent takes the one the conversation last touched.
    chat(shared_stack, me, "remind me to call mom tomorrow", conversation)
    [pending] = tasks(shared_stack, me, "pending")
    assert pending["title"] == "call mom tomorrow"
    follow_up = chat(shared_stack, me, "mark it done", conversation)
    assert follow_up["tool_calls"][0]["arguments"] == {"task_id": pending["id"]}
    assert tasks(shared_stack, me, "pending") == []

    # Stored in order: each user message, then its tool calls, then the reply.
    messages = shared_stack.get(f"/api/conversations/{conversation}/messages", headers=me).json()["messages"]
    assert [(m["role"], m["tool_name"]) for m in messages] == [
        ("user", None), ("tool", "add_task"), ("assistant", None),
        ("user", None), ("tool", "complete_task"), ("assistant", None),
        ("user", None), ("tool", "add_task"), ("assistant", None),
        ("user", None), ("tool", "complete_task"), ("assistant", None)]
    assert [m["content"] for m in messages if m["role"] == "user"] == [
        "add buy milk", "mark buy milk done", "remind me to call mom tomorrow", "mark it done"]
    assert messages[1]["tool_arguments"] == {"title": "buy milk"}
    assert messages[1]["tool_result"] == {"task": task}
    assert messages[-1]["content"] == follow_up["response"]
    assert [m["id"] for m in messages] == sorted(m["id"] for m in messages)
    [listed] = shared_stack.get("/api/conversations", headers=me).json()["conversations"]
    assert listed["id"] == conversation and listed["title"] == "add buy milk"


def test_ambiguous_and_nonsense_messages_change_nothing_and_help(shared_stack):
    me = signed_in(shared_stack)
    chat(shared_stack, me, "add buy milk")
    chat(shared_stack, me, "add buy oat milk")

    ambiguous = chat(shared_stack, me, "delete milk")
    assert ambiguous["tool_calls"] == [] and "Several tasks match" in ambiguous["response"]
    nonsense = chat(shared_stack, me, "purple monkey dishwasher")
    assert nonsense["tool_calls"] == [] and "add buy milk" in nonsense["response"]
    assert len(tasks(shared_stack, me)) == 2


def test_another_users_task_and_conversation_stay_untouched(shared_stack):
    alice, bob = signed_in(shared_stack), signed_in(shared_stack)
    bobs_chat = chat(shared_stack, bob, "add bob's secret plan")
    [bobs_task] = tasks(shared_stack, bob)

    for message in [f"complete task {bobs_task['id']}", f"delete task {bobs_task['id']}",
                    f"rename task {bobs_task['id']} to hacked"]:
        reply = chat(shared_stack, alice, message)
        assert f"no task {bobs_task['id']}" in reply["response"], reply
        assert all("error" in call["result"] for call in reply["tool_calls"]), reply
    assert chat(shared_stack, alice, "mark bob's secret plan done")["tool_calls"] == []
    assert tasks(shared_stack, bob) == [bobs_task]

    foreign = shared_stack.post("/api/chat", headers=alice,
                                json={"message": "delete it", "conversation_id": bobs_chat["conversation_id"]})
    missing = shared_stack.post("/api/chat", headers=alice,
                                json={"message": "delete it", "conversation_id": str(uuid.uuid4())})
    assert_error(foreign, 404, "not_found")
    assert foreign.json()["error"] == missing.json()["error"], "another user's conversation looks like a missing one"
    messages = shared_stack.get(f"/api/conversations/{bobs_chat['conversation_id']}/messages",
                                headers=bob).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "tool", "assistant"], "nothing was added to Bob's conversation"


def test_bad_input_answers_400_or_404_json_never_500(shared_stack):
    me = signed_in(shared_stack)
    for body, field in [({}, "message"), ({"message": 5}, "message"), ({"message": None}, "message"),
                        ({"message": ["add"]}, "message"), ({"message": ""}, "message"),
                        ({"message": "   "}, "message"),
                        ({"message": "x" * 4001}, "message"), ({"message": "add \u0000"}, "message"),
                        ({"message": "hi", "conversation_id": "not-a-uuid"}, "conversation_id"),
                        ({"message": "hi", "conversation_id": 12}, "conversation_id"),
                        ({"message": "hi", "conversation_id": {"id": 1}}, "conversation_id")]:
        response = shared_stack.post("/api/chat", json=body, headers=me)
        assert_error(response, 400, "validation_failed")
        assert field in response.json()["error"]["fields"], (body, response.text)
    for data in [b"", b"{", b"[1, 2"]:
        response = shared_stack.post("/api/chat", data=data, headers={**me, "Content-Type": "application/json"})
        assert_error(response, 400, "invalid_json")
    assert_error(shared_stack.post("/api/chat", json=["add buy milk"], headers=me), 400, "validation_failed")
    assert_error(shared_stack.post("/api/chat", data=b'{"message": "hi"}',
                                   headers={**me, "Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_error(shared_stack.post("/api/chat", json={"message": "x" * (2 << 20)}, headers=me), 413,
                 "payload_too_large")
    assert_error(shared_stack.post("/api/chat", json={"message": "hi"}), 401, "unauthenticated")
    # The longest allowed message and odd text are fine, and a huge task id is just not there.
    assert chat(shared_stack, me, "x" * 4000)["tool_calls"] == []
    assert chat(shared_stack, me, "complete task 99999999999999999999999")["tool_calls"] == []
    assert chat(shared_stack, me, "add \u0007bell")["tool_calls"][0]["result"].keys() == {"error"}
    assert tasks(shared_stack, me) == []
