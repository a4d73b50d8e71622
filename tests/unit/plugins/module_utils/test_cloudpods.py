"""cloudpods_storage's decisions, on answers captured from keystone and region built from
yunionio/cloudpods 2de2952 (tools/cloudpods). The calls themselves run against the real
services in tests/cloudpods/."""

import json
import socket

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._cloudpods import (
    CloudpodsClient, CloudpodsError, attach_fail_reason, attach_hint, attach_outcome,
    auth_failure, auth_request_body, find_region_endpoint, parse_api_error, pick_storage,
    plan_storage, predict_state, storage_diff, storage_report, tokens_url)
from conftest import read_fixture

FIXTURES = "cloudpods-2de2952/"
ZONE = {"id": "56717705-b98d-4331-8a03-f08ca87108be", "name": "zone0"}
H1_ID = "6b072715-cd10-4a9f-8286-9ed455bb004e"
H2_ID = "e48624cf-0ccf-48ec-8a03-2f5503ecc732"
STORAGE_ID = "49c6b6d0-291f-492c-8e76-ba48d35b837f"
MOUNT = "/srv/ocfs2"
PARAMS = {"auth_url": "http://127.0.0.1:5000/v3", "username": "sysadmin", "password": "secret",
          "domain_name": "Default", "project_name": "system", "project_domain_name": "Default"}


def fixture_text(name):
    return read_fixture(FIXTURES + name)


def fixture_json(name):
    return json.loads(fixture_text(name))


def api_error(name, status, method="POST", url="http://127.0.0.1:8889/x"):
    return parse_api_error(status, fixture_text(name), method, url)


def storage_row():
    return fixture_json("storages_list_by_name.json")["storages"][0]


def host(name="h1", host_id=H1_ID, status="online", storages=()):
    return {"id": host_id, "name": name, "host_status": status, "zone": "zone0",
            "storages": list(storages)}


def state(storage=None, attachments=(), hosts=None):
    """What read_storage_state() returns, in the region the fixtures were captured from."""
    return {"zone": ZONE, "storage": storage, "attachments": list(attachments),
            "hosts": hosts if hosts is not None else {"h1": host()}}


def attachment(name="h1", host_id=H1_ID, mount_point=MOUNT):
    return {"host": name, "host_id": host_id, "mount_point": mount_point,
            "host_status": "online"}


def params(**overrides):
    values = {"name": "scratch1", "zone": "zone0", "state": "present", "hosts": ["h1"],
              "mount_point": MOUNT, "medium_type": None, "capacity_mb": 0,
              "update_mount_point": False}
    values.update(overrides)
    return values


# ---------------------------------------------------------------- keystone

@pytest.mark.parametrize("auth_url", ["http://127.0.0.1:5000/v3", "http://127.0.0.1:5000/v3/",
                                      "http://127.0.0.1:5000"])
def test_tokens_url_ends_in_v3_auth_tokens(auth_url):
    assert tokens_url(auth_url) == "http://127.0.0.1:5000/v3/auth/tokens"


def test_auth_request_scopes_the_token_to_the_project():
    body = auth_request_body(dict(PARAMS, project_domain_name="Other"))
    assert body["auth"]["identity"] == {"methods": ["password"], "password": {"user": {
        "name": "sysadmin", "password": "secret", "domain": {"name": "Default"}}}}
    assert body["auth"]["scope"] == {"project": {"name": "system", "domain": {"name": "Other"}}}


@pytest.mark.parametrize("fixture, status, error_class, says", [
    ("keystone_wrong_password.json", 401, "WrongPassword", "refused the password of user "
     "sysadmin (domain Default). Check password (OS_PASSWORD)"),
    ("keystone_unknown_user.json", 404, "UserNotFound", "has no user sysadmin (domain "
     "Default). Check username and domain_name"),
    ("keystone_unknown_project.json", 401, "UnauthorizedError", "refused user sysadmin "
     "(domain Default) for project system (domain Default). Check project_name"),
])
def test_keystone_refusals_say_which_credential_to_check(fixture, status, error_class, says):
    error = auth_failure(api_error(fixture, status), PARAMS)
    assert error.status == status
    assert error.error_class == error_class
    assert says in str(error)
    assert "secret" not in str(error)


# ---------------------------------------------------------------- catalog

def catalog():
    return fixture_json("token_catalog.json")


@pytest.mark.parametrize("interface", ["public", "internal"])
def test_region_endpoint_is_the_compute_v2_url_of_the_region(interface):
    assert find_region_endpoint(catalog(), "region0", interface) == "http://127.0.0.1:8889"


def test_region_endpoint_without_region_name_takes_the_only_region():
    assert find_region_endpoint(catalog(), None, "public") == "http://127.0.0.1:8889"


def test_missing_interface_lists_what_the_catalog_has():
    with pytest.raises(CloudpodsError, match=r"no admin endpoint of the region service in "
                       r"region region0; it has \(region/interface\): region0/internal, "
                       r"region0/public"):
        find_region_endpoint(catalog(), "region0", "admin")


def test_unknown_region_is_refused_with_the_known_ones():
    with pytest.raises(CloudpodsError, match="in region region9; it has .*region0/public"):
        find_region_endpoint(catalog(), "region9", "public")


def test_catalog_without_the_region_service_names_the_services_it_has():
    identity_only = [service for service in catalog() if service["type"] == "identity"]
    with pytest.raises(CloudpodsError, match="no region service .*it offers: identity"):
        find_region_endpoint(identity_only, "region0", "public")


def test_two_regions_need_region_name():
    two = catalog()
    compute = [service for service in two if service["type"] == "compute_v2"][0]
    compute["endpoints"].append(dict(compute["endpoints"][0], region_id="region1"))
    with pytest.raises(CloudpodsError, match="region0, region1; set region_name"):
        find_region_endpoint(two, None, "public")


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("fixture, status, error_class, details", [
    ("storage_create_no_zone.json", 400, "MissingParameterError", "Missing parameter zone_id"),
    ("storage_create_unknown_zone.json", 404, "ResourceNotFoundError", "zone zone9 not found"),
    ("storage_create_duplicate.json", 409, "DuplicateNameError",
     "Duplicate name storage scratch1"),
    ("attach_host_offline.json", 400, "InvalidStatusError",
     "Attaching NFS storage requires host to be online"),
    ("attach_local_mount_point.json", 400, "BadRequestError", "/ is local storage mount point"),
    ("host_not_found.json", 404, "ResourceNotFoundError", "host nosuch not found"),
    ("hoststorage_not_found.json", 404, "ResourceNotFoundError",
     "hoststorage h2-scratch1 not found"),
])
def test_api_error_carries_status_class_and_details(fixture, status, error_class, details):
    error = api_error(fixture, status)
    assert (error.status, error.error_class, error.details) == (status, error_class, details)
    assert error.fields["details"] == details


def test_api_error_of_an_agent_check_keeps_the_agents_answer():
    error = api_error("attach_not_mount_point.json", 400)
    assert error.details.startswith("/tmp/cpscratch/plain is not mount point ")
    assert '"is_mount_point":false' in error.details


def test_api_error_without_json_keeps_the_text():
    error = parse_api_error(502, "<html>Bad Gateway</html>", "GET", "http://x/storages")
    assert (error.status, error.error_class, error.details) == (
        502, None, "<html>Bad Gateway</html>")


def test_api_error_in_openstack_shape_is_read_too():
    error = parse_api_error(401, '{"error": {"code": 401, "message": "The request you have '
                            'made requires authentication.", "title": "Unauthorized"}}',
                            "POST", "http://x/v3/auth/tokens")
    assert error.error_class == "Unauthorized"
    assert error.details == "The request you have made requires authentication."


def test_explained_error_says_what_the_module_was_doing_and_what_next():
    error = api_error("storage_create_duplicate.json", 409).explained(
        "create storage scratch1 in zone zone0", "Choose another name")
    assert str(error) == ("Cloudpods could not create storage scratch1 in zone zone0: Duplicate "
                          "name storage scratch1 (HTTP 409 DuplicateNameError). Choose another "
                          "name")
    assert error.fields == {"status": 409, "error_class": "DuplicateNameError",
                            "details": "Duplicate name storage scratch1", "method": "POST",
                            "url": "http://127.0.0.1:8889/x"}


@pytest.mark.parametrize("fixture, status, says", [
    ("attach_not_mount_point.json", 400, "Nothing is mounted at /srv/ocfs2 on host h1"),
    ("attach_local_mount_point.json", 400, "on a local filesystem"),
    ("attach_mount_point_of_other_storage.json", 400, "Another storage uses /srv/ocfs2 on "
     "host h1"),
    ("attach_host_offline.json", 400, "Start the host agent on h1"),
    ("attach_agent_unreachable.json", 499, "could not reach the host agent of h1"),
])
def test_attach_refusals_get_a_hint(fixture, status, says):
    assert says in attach_hint(api_error(fixture, status), "h1", MOUNT)


def test_unreachable_api_names_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = CloudpodsClient(dict(PARAMS, auth_url="http://127.0.0.1:%d/v3" % port,
                                  timeout=5, validate_certs=True, interface="public"))
    with pytest.raises(CloudpodsError, match=r"API at http://127.0.0.1:%d/v3/auth/tokens is "
                       r"unreachable: .*refused" % port) as caught:
        client.authenticate()
    assert caught.value.status is None
    assert "secret" not in str(caught.value)


# ---------------------------------------------------------------- finding the storage

def test_pick_storage_finds_the_gpfs_storage_of_the_zone():
    rows = fixture_json("storages_list_by_name.json")["storages"]
    assert pick_storage(rows, "scratch1", ZONE)["id"] == STORAGE_ID


def test_pick_storage_is_none_when_no_row_has_the_name():
    rows = fixture_json("storages_list_by_name.json")["storages"]
    assert pick_storage(rows, "scratch2", ZONE) is None


def test_pick_storage_refuses_a_storage_of_another_type():
    rows = [dict(storage_row(), storage_type="local")]
    with pytest.raises(CloudpodsError, match="already exists in zone zone0 with type local, "
                       "not gpfs; choose another name"):
        pick_storage(rows, "scratch1", ZONE)


def test_pick_storage_refuses_a_storage_in_another_zone():
    with pytest.raises(CloudpodsError, match="exists in zone zone0, not in zone zone1"):
        pick_storage([storage_row()], "scratch1", {"id": "other", "name": "zone1"})


# ---------------------------------------------------------------- planning

def test_plan_creates_the_storage_and_attaches_the_host():
    assert plan_storage(state(), params()) == [
        {"action": "create", "storage": "scratch1", "zone": "zone0", "medium_type": "ssd",
         "capacity_mb": 0},
        {"action": "attach", "host": "h1", "host_id": H1_ID, "mount_point": MOUNT},
    ]


def test_plan_creates_with_the_medium_and_capacity_asked():
    steps = plan_storage(state(hosts={}), params(hosts=[], medium_type="rotate",
                                                 capacity_mb=2048))
    assert steps == [{"action": "create", "storage": "scratch1", "zone": "zone0",
                      "medium_type": "rotate", "capacity_mb": 2048}]


def test_plan_is_empty_when_the_storage_is_attached_at_that_mount_point():
    assert plan_storage(state(storage_row(), [attachment()]), params()) == []


def test_plan_is_empty_when_a_host_is_named_by_name_and_by_id():
    hosts = {"h1": host(), H1_ID: host()}
    assert plan_storage(state(storage_row(), [attachment()], hosts),
                        params(hosts=["h1", H1_ID])) == []


def test_plan_attaches_only_the_host_added_later():
    hosts = {"h1": host(), "h2": host("h2", H2_ID)}
    assert plan_storage(state(storage_row(), [attachment()], hosts),
                        params(hosts=["h1", "h2"])) == [
        {"action": "attach", "host": "h2", "host_id": H2_ID, "mount_point": MOUNT}]


def test_plan_leaves_hosts_that_are_not_listed_attached():
    assert plan_storage(state(storage_row(), [attachment(), attachment("h2", H2_ID)]),
                        params()) == []


def test_plan_updates_the_medium_type_of_an_existing_storage():
    assert plan_storage(state(storage_row(), [attachment()]), params(medium_type="hybrid")) == [
        {"action": "update", "storage": "scratch1", "changes": {"medium_type": "hybrid"}}]


def test_plan_refuses_another_mount_point_without_update_mount_point():
    with pytest.raises(CloudpodsError, match="storage scratch1 is attached to host h1 at "
                       "/srv/old, not at /srv/ocfs2. Set update_mount_point: true"):
        plan_storage(state(storage_row(), [attachment(mount_point="/srv/old")]), params())


def test_plan_changes_the_mount_point_with_update_mount_point():
    steps = plan_storage(state(storage_row(), [attachment(mount_point="/srv/old")]),
                         params(update_mount_point=True))
    assert steps == [{"action": "update_mount_point", "host": "h1", "host_id": H1_ID,
                      "mount_point": MOUNT, "previous_mount_point": "/srv/old"}]


def test_plan_refuses_a_host_that_is_offline():
    with pytest.raises(CloudpodsError, match="host h1 is offline in Cloudpods; the region "
                       "attaches storage only to online hosts. Start the host agent on h1"):
        plan_storage(state(hosts={"h1": host(status="offline")}), params())


def test_plan_refuses_a_mount_point_another_storage_uses_on_the_host():
    busy = host(storages=[{"storage_id": "other-id", "storage": "other", "mount_point": MOUNT}])
    with pytest.raises(CloudpodsError, match="host h1 already has mount point /srv/ocfs2 for "
                       "storage other; a mount point holds one storage"):
        plan_storage(state(hosts={"h1": busy}), params())


def test_plan_refuses_hosts_without_mount_point():
    with pytest.raises(CloudpodsError, match="hosts are given but mount_point is not"):
        plan_storage(state(), params(mount_point=None))


def test_plan_refuses_a_relative_mount_point():
    with pytest.raises(CloudpodsError, match="'srv/ocfs2' is not an absolute path"):
        plan_storage(state(), params(mount_point="srv/ocfs2"))


def test_plan_absent_detaches_every_host_then_deletes():
    attached = [attachment("h2", H2_ID, "/srv/b"), attachment()]
    assert plan_storage(state(storage_row(), attached), params(state="absent", hosts=[])) == [
        {"action": "detach", "host": "h1", "host_id": H1_ID, "mount_point": MOUNT},
        {"action": "detach", "host": "h2", "host_id": H2_ID, "mount_point": "/srv/b"},
        {"action": "delete", "storage": "scratch1"},
    ]


def test_plan_absent_is_empty_when_there_is_no_storage():
    assert plan_storage(state(), params(state="absent")) == []


# ---------------------------------------------------------------- check mode and diff

def test_check_mode_predicts_the_created_storage_and_its_host():
    before = state()
    steps = plan_storage(before, params())
    after = predict_state(before, steps, params())
    assert storage_diff(before, after) == {"before": {}, "after": {
        "name": "scratch1", "storage_type": "gpfs", "zone": "zone0", "medium_type": "ssd",
        "hosts": {"h1": MOUNT}}}
    assert storage_report(after) == {
        "storage": {"id": None, "name": "scratch1", "status": "online", "capacity": 0,
                    "zone": "zone0", "medium_type": "ssd"},
        "hosts": [{"name": "h1", "id": H1_ID, "mount_point": MOUNT, "status": "online"}]}


def test_diff_of_a_mount_point_change_shows_both_paths():
    before = state(storage_row(), [attachment(mount_point="/srv/old")])
    steps = plan_storage(before, params(update_mount_point=True))
    diff = storage_diff(before, predict_state(before, steps, params()))
    assert (diff["before"]["hosts"], diff["after"]["hosts"]) == ({"h1": "/srv/old"},
                                                                 {"h1": MOUNT})


def test_diff_of_absent_ends_empty():
    before = state(storage_row(), [attachment()])
    after = predict_state(before, plan_storage(before, params(state="absent")), params())
    assert storage_diff(before, after)["after"] == {}
    assert storage_report(after) == {"storage": None, "hosts": []}


def test_diff_is_the_same_before_and_after_when_nothing_changes():
    before = state(storage_row(), [attachment()])
    diff = storage_diff(before, predict_state(before, [], params()))
    assert diff["before"] == diff["after"]


# ---------------------------------------------------------------- settling an attach

def events(since_id=0):
    rows = fixture_json("storage_events.json")["events"]
    return sorted((row for row in rows if row["id"] > since_id), key=lambda row: row["id"])


def test_agent_failure_reason_is_read_from_the_attach_fail_event():
    failure = [row for row in events() if row["action"] == "attach_fail"][0]
    assert attach_fail_reason(failure["notes"]) == "mount went away"


def test_attach_settles_on_the_tasks_attach_event():
    # Events 8-10: h1's link created, the agent's capacity update, the task's success.
    assert attach_outcome("h1", {"mount_point": MOUNT}, events(2)[:3], 100) == ("settled", None)


def test_attach_is_pending_before_the_agent_answered():
    # Only the link's own "attach" event (with notes) so far.
    assert attach_outcome("h1", {"mount_point": MOUNT}, events(2)[:1], 0) == ("pending", None)


def test_attach_failed_when_the_agent_refused_and_the_link_is_gone():
    assert attach_outcome("h2", None, events(10), 100) == ("failed", "mount went away")


def test_attach_failed_when_the_link_is_gone_before_the_event():
    assert attach_outcome("h2", None, events(10)[:1], 100) == ("failed", None)


def test_attach_fail_of_another_host_is_not_this_hosts():
    assert attach_outcome("h3", {"mount_point": MOUNT}, events(10), 100) == ("pending", None)


@pytest.mark.parametrize("capacity, outcome", [(0, "pending"), (100, "settled")])
def test_without_events_the_reported_capacity_settles_it(capacity, outcome):
    assert attach_outcome("h1", {"mount_point": MOUNT}, None, capacity) == (outcome, None)
