"""What AWX is given (awx/): the surveys against AWX's own rules and the roles' argument specs,
the job templates against the project, the project as AWX lists its playbooks, and the
execution environment as ansible-builder reads it. AWX's rules are from its source (ansible/awx
24.6: awx/api/views/__init__.py JobTemplateSurveySpec._validate_spec_data, awx/main/constants.py
SURVEY_TYPE_MAPPING, awx/main/utils/ansible.py could_be_playbook and skip_directory)."""

import json
import os
import pathlib
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from ansible_collections.ocfs2.cluster.plugins.module_utils._filesystem import MAX_NODE_SLOTS
from ansible_collections.ocfs2.cluster.plugins.plugin_utils._cluster import O2CB_TIMEOUTS

REPO = pathlib.Path(__file__).resolve().parents[3]
AWX = REPO / "awx"
PROJECT = AWX / "project"
BIN = pathlib.Path(sys.executable).parent
SURVEY_TYPES = ("text", "textarea", "password", "multiplechoice", "multiselect", "integer", "float")
# The argument spec types a survey answer of each type can satisfy.
COMPATIBLE_TYPES = {"text": {"str", "path"}, "textarea": {"str"}, "password": {"str"},
                    "multiplechoice": {"str"}, "multiselect": {"list"}, "integer": {"int"},
                    "float": {"float"}}
# The bounds the roles enforce on integer variables, where they enforce them.
INTEGER_BOUNDS = dict([("filesystem_node_slots", (1, MAX_NODE_SLOTS))]
                      + [(variable, (low, high)) for variable, _, low, high in O2CB_TIMEOUTS])


def survey_spec_problems(spec):
    """AWX's server-side checks of a survey spec, and its launch-time check of defaults."""
    problems = []
    for key, kind in (("name", str), ("description", str), ("spec", list)):
        if not isinstance(spec.get(key), kind):
            problems.append("%s must be a %s" % (key, kind.__name__))
    if not spec.get("spec"):
        return problems + ["spec must not be empty"]
    variables = set()
    for index, item in enumerate(spec["spec"]):
        where = "spec[%d]" % index
        for key, kind in (("type", str), ("question_name", str), ("variable", str),
                          ("required", bool)):
            if not isinstance(item.get(key), kind):
                problems.append("%s.%s must be a %s" % (where, key, kind.__name__))
        if item.get("type") not in SURVEY_TYPES:
            problems.append("%s.type %r is not one of %s" % (where, item.get("type"), SURVEY_TYPES))
            continue
        if item.get("variable") in variables:
            problems.append("%s.variable %r is not unique" % (where, item["variable"]))
        variables.add(item.get("variable"))
        for key in ("min", "max"):
            if key in item and item[key] is not None and type(item[key]) is not int:
                problems.append("%s.%s must be an integer or null" % (where, key))
        choices = item.get("choices")
        if isinstance(choices, str):
            choices = [line for line in choices.split("\n") if line.strip()]
        if item["type"] in ("multiplechoice", "multiselect"):
            if not choices:
                problems.append("%s needs choices" % where)
                continue
        if "default" not in item or item["default"] in ("", None):
            continue
        default = item["default"]
        if item["type"] == "integer" and type(default) is not int:
            problems.append("%s.default must be an integer" % where)
        elif item["type"] == "float" and type(default) not in (int, float):
            problems.append("%s.default must be a number" % where)
        elif item["type"] in ("text", "textarea", "password", "multiplechoice") and not isinstance(
                default, str):
            problems.append("%s.default must be text" % where)
        elif item["type"] == "multiplechoice" and default not in choices:
            problems.append("%s.default %r is not among the choices" % (where, default))
        elif item["type"] == "multiselect" and (
                not isinstance(default, str)
                or set(line for line in default.split("\n") if line) - set(choices)):
            problems.append("%s.default must be choices, one per line" % where)
    return problems


def job_templates():
    return yaml.safe_load((AWX / "job_templates.yml").read_text())["ocfs2_awx_job_templates"]


def surveyed_templates():
    return [template for template in job_templates() if template.get("survey")]


def load_survey(name):
    return json.loads((AWX / "surveys" / name).read_text())


def playbook_roles(playbook):
    """The collection's roles a playbook of the project runs, through the collection playbook
    it imports."""
    wrapper = (PROJECT / playbook).read_text()
    (imported,) = re.findall(r"import_playbook:\s*ocfs2\.cluster\.(\w+)", wrapper)
    text = (REPO / "playbooks" / (imported + ".yml")).read_text()
    return sorted(set(re.findall(r"name: ocfs2\.cluster\.(\w+)", text)))


def role_options(role):
    """Every option of every entry point of a role's argument spec, by name."""
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())
    options = {}
    for entry_point in specs["argument_specs"].values():
        options.update(entry_point.get("options") or {})
    return options


def argument_spec_problems(spec, roles):
    """A survey question whose variable no role documents, or whose answers its spec refuses."""
    options = {}
    for role in roles:
        options.update(role_options(role))
    problems = []
    for item in spec["spec"]:
        name = item["variable"]
        option = options.get(name)
        if option is None:
            problems.append("%s is no variable of the roles %s" % (name, roles))
            continue
        if option.get("type", "str") not in COMPATIBLE_TYPES[item["type"]]:
            problems.append("%s: a %s answer for a %s option" % (name, item["type"],
                                                                option.get("type", "str")))
        if option.get("choices") and item["type"] in ("multiplechoice", "multiselect"):
            outside = set(item["choices"]) - set(str(choice) for choice in option["choices"])
            if outside:
                problems.append("%s: choices %s that the role refuses" % (name, sorted(outside)))
        elif option.get("choices"):
            problems.append("%s: free %s for an option with choices" % (name, item["type"]))
        if item["type"] in ("integer", "float"):
            if name not in INTEGER_BOUNDS:
                problems.append("%s: the roles' bounds are not known to this test" % name)
                continue
            low, high = INTEGER_BOUNDS[name]
            if item.get("min") is None or item["min"] < low:
                problems.append("%s: min %s below the role's %d" % (name, item.get("min"), low))
            if item.get("max") is None or item["max"] > high:
                problems.append("%s: max %s above the role's %d" % (name, item.get("max"), high))
    return problems


@pytest.mark.parametrize("template", surveyed_templates(), ids=lambda template: template["name"])
def test_survey_follows_awx_rules(template):
    assert survey_spec_problems(load_survey(template["survey"])) == []


@pytest.mark.parametrize("template", surveyed_templates(), ids=lambda template: template["name"])
def test_survey_variables_are_role_variables_with_compatible_types_and_bounds(template):
    roles = playbook_roles(template["playbook"])
    assert roles
    assert argument_spec_problems(load_survey(template["survey"]), roles) == []


@pytest.mark.parametrize("broken, problem", [
    ({"description": "", "spec": [{}]}, "name must be a str"),
    ({"name": "", "description": "", "spec": []}, "spec must not be empty"),
    ({"name": "", "description": "", "spec": [
        {"type": "boolean", "question_name": "q", "variable": "v", "required": True}]},
     "spec[0].type 'boolean' is not one of"),
    ({"name": "", "description": "", "spec": [
        {"type": "text", "question_name": "q", "variable": "v", "required": "yes"}]},
     "spec[0].required must be a bool"),
    ({"name": "", "description": "", "spec": [
        {"type": "text", "question_name": "q", "variable": "v", "required": True},
        {"type": "text", "question_name": "r", "variable": "v", "required": True}]},
     "spec[1].variable 'v' is not unique"),
    ({"name": "", "description": "", "spec": [
        {"type": "integer", "question_name": "q", "variable": "v", "required": True,
         "min": "1"}]}, "spec[0].min must be an integer"),
    ({"name": "", "description": "", "spec": [
        {"type": "integer", "question_name": "q", "variable": "v", "required": True,
         "default": "3"}]}, "spec[0].default must be an integer"),
    ({"name": "", "description": "", "spec": [
        {"type": "multiplechoice", "question_name": "q", "variable": "v", "required": True,
         "choices": ["a", "b"], "default": "c"}]}, "spec[0].default 'c' is not among"),
    ({"name": "", "description": "", "spec": [
        {"type": "multiplechoice", "question_name": "q", "variable": "v", "required": True}]},
     "spec[0] needs choices"),
])
def test_survey_rules_catch_what_awx_refuses(broken, problem):
    assert any(text.startswith(problem) for text in survey_spec_problems(broken)), (
        survey_spec_problems(broken))


@pytest.mark.parametrize("item, problem", [
    ({"variable": "resize_sizes", "type": "text"}, "resize_sizes is no variable"),
    ({"variable": "resize_size", "type": "integer", "min": 1, "max": 2},
     "resize_size: a integer answer for a str option"),
    ({"variable": "resize_mode", "type": "multiplechoice", "choices": ["online", "sideways"]},
     "resize_mode: choices ['sideways']"),
    ({"variable": "resize_mode", "type": "text"}, "resize_mode: free text for an option with"),
], ids=["unknown", "type", "choices", "free-text"])
def test_argument_spec_check_catches_a_mismatch(item, problem):
    spec = {"spec": [dict(item, question_name="q", required=False)]}
    assert any(text.startswith(problem) for text in argument_spec_problems(spec, ["resize"]))


def test_integer_bounds_beyond_the_role_are_caught():
    spec = {"spec": [{"variable": "filesystem_node_slots", "type": "integer", "min": 0,
                      "max": 256, "question_name": "q", "required": False}]}
    assert argument_spec_problems(spec, ["filesystem"]) == [
        "filesystem_node_slots: min 0 below the role's 1",
        "filesystem_node_slots: max 256 above the role's 255"]


def awx_playbooks(project):
    """The playbooks AWX offers for a project: .yml/.yaml files with a play line, outside
    roles, tasks, group_vars, host_vars and dot folders."""
    play_line = re.compile(
        r"^\s*?-?\s*?(?:hosts|(ansible\.builtin\.)?include|(ansible\.builtin\.)?import_playbook):")
    found = []
    for folder, subfolders, files in os.walk(project):
        relative = os.path.relpath(folder, project)
        if any(part in ("roles", "tasks", "group_vars", "host_vars") or part.startswith(".")
               for part in pathlib.Path(relative).parts):
            continue
        for name in files:
            path = pathlib.Path(folder, name)
            if path.suffix in (".yml", ".yaml") and any(
                    play_line.match(line) for line in path.read_text().splitlines()):
                found.append(str(path.relative_to(project)))
    return sorted(found)


def test_awx_lists_the_project_playbooks_and_each_imports_a_collection_playbook():
    assert awx_playbooks(PROJECT) == ["resize.yml", "site.yml", "status.yml"]
    for playbook in awx_playbooks(PROJECT):
        (imported,) = re.findall(r"import_playbook:\s*ocfs2\.cluster\.(\w+)",
                                 (PROJECT / playbook).read_text())
        assert (REPO / "playbooks" / (imported + ".yml")).is_file()


def test_every_job_template_runs_a_project_playbook():
    templates = job_templates()
    assert len(set(template["name"] for template in templates)) == len(templates)
    for template in templates:
        assert template["playbook"] in awx_playbooks(PROJECT), template
        assert template["job_type"] in ("run", "check"), template
        if template.get("survey"):
            assert (AWX / "surveys" / template["survey"]).is_file(), template
    scheduled = re.findall(r"unified_job_template: (.+)", (AWX / "configure.yml").read_text())
    assert scheduled and set(scheduled) <= set(template["name"] for template in templates)


def test_project_requirements_pin_this_collection_version():
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    requirements = yaml.safe_load((PROJECT / "collections" / "requirements.yml").read_text())
    assert requirements["collections"] == [
        {"name": "%s.%s" % (galaxy["namespace"], galaxy["name"]), "version": galaxy["version"]}]


def pinned(package):
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if line.startswith(package + "=="):
            return line
    raise AssertionError("%s is not pinned in requirements.txt" % package)


def test_ansible_builder_makes_the_build_context(tmp_path):
    subprocess.run([str(BIN / "ansible-builder"), "create", "-f",
                    str(AWX / "execution-environment.yml"), "-c", str(tmp_path / "context"),
                    "--output-filename", "Containerfile"],
                   check=True, capture_output=True, text=True, cwd=str(tmp_path))
    containerfile = (tmp_path / "context" / "Containerfile").read_text()
    refs = "%s %s" % (pinned("ansible-core"), pinned("ansible-runner"))
    assert 'ARG ANSIBLE_INSTALL_REFS="%s"' % refs in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-galaxy collection install" in containerfile
    built = yaml.safe_load((tmp_path / "context" / "_build" / "requirements.yml").read_text())
    assert built == yaml.safe_load((PROJECT / "collections" / "requirements.yml").read_text())


def test_ansible_builder_refuses_a_key_version_3_does_not_have(tmp_path):
    definition = yaml.safe_load((AWX / "execution-environment.yml").read_text())
    definition["dependencies"]["galaxy"] = str(PROJECT / "collections" / "requirements.yml")
    definition["build_args"] = {}
    path = tmp_path / "execution-environment.yml"
    path.write_text(yaml.safe_dump(definition))
    result = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", str(path), "-c",
                             str(tmp_path / "context")], capture_output=True, text=True,
                            cwd=str(tmp_path))
    assert result.returncode != 0
    assert "build_args" in result.stdout + result.stderr


def test_the_built_collection_declares_its_execution_environment_needs(tmp_path):
    """ansible-builder's introspection of the installed tarball, as its builder stage runs it."""
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path",
                    str(tmp_path), str(REPO)], check=True, capture_output=True, text=True)
    (tarball,) = tmp_path.glob("ocfs2-cluster-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert {"meta/execution-environment.yml", "meta/ee-requirements.txt",
            "meta/ee-bindep.txt"} <= set(names)
    collections = tmp_path / "collections"
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps",
                    "--offline", "-p", str(collections), str(tarball)], check=True,
                   capture_output=True, text=True,
                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections)))
    result = subprocess.run([str(BIN / "ansible-builder"), "introspect", "--sanitize",
                             str(collections)], check=True, capture_output=True, text=True)
    found = yaml.safe_load(result.stdout)
    assert found["system"] == ["openssh-clients [platform:rpm]  # from collection ocfs2.cluster",
                               "openssh-client [platform:dpkg]  # from collection ocfs2.cluster"]
    assert found["python"] == []


def test_configure_gives_each_awx_module_only_options_it_documents():
    """awx/configure.yml cannot run here (no AWX): each task's options against the awx.awx
    module's documentation, with its aliases and choices."""
    plays = yaml.safe_load((AWX / "configure.yml").read_text())
    tasks = [(name, args) for play in plays for task in play["tasks"]
             for name, args in task.items() if name.startswith("awx.awx.")]
    assert len(tasks) >= 8
    docs = json.loads(subprocess.run(
        [str(BIN / "ansible-doc"), "--json"] + sorted(set(name for name, _ in tasks)),
        check=True, capture_output=True, text=True).stdout)
    problems = []
    for module, args in tasks:
        options = docs[module]["doc"]["options"]
        names = dict((alias, name) for name, option in options.items()
                     for alias in [name] + list(option.get("aliases") or []))
        for key, value in args.items():
            if key not in names:
                problems.append("%s: no option %s" % (module, key))
            elif (options[names[key]].get("choices") and isinstance(value, (str, bool, int))
                  and "{{" not in str(value) and value not in options[names[key]]["choices"]):
                problems.append("%s: %s=%r is not one of %s" % (
                    module, key, value, options[names[key]]["choices"]))
    assert problems == []


def test_a_project_pointed_at_this_repository_finds_the_playbooks_and_the_requirements():
    """The repository itself as an AWX project: AWX lists awx/project's playbooks among the
    others (ocfs2_awx_project_playbook_dir), and the project sync installs the collection from
    the repository's collections/requirements.yml, the same file as awx/project's."""
    listed = awx_playbooks(REPO)
    assert {"awx/project/" + name for name in awx_playbooks(PROJECT)} <= set(listed)
    assert (REPO / "collections" / "requirements.yml").resolve() == (
        PROJECT / "collections" / "requirements.yml")
