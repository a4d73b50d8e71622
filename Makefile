# The README's commands, on a Debian 12 machine as root:
#   make demo   bring the lab up and run playbooks/site.yml on it
#   make test   lint, sanity, unit tests, and the Molecule scenarios on the lab
#   make down   stop the lab
# Each target installs what it needs (Debian packages, the virtual environment) first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help venv host-packages deps demo test lint sanity unit molecule down build clean \
	bench-site bench-resize bench-lab

NODES ?= 3
VENV := $(CURDIR)/.venv
COLLECTION_LINK := $(CURDIR)/.build/collections/ansible_collections/ocfs2/cluster
# Mitogen's strategy plugins, at a path that does not name the venv's Python version.
STRATEGY_LINK := $(CURDIR)/.build/strategy
# The Molecule scenarios, each run alone on a shared lab (molecule/default boots it): first
# on three Debian 12 nodes (site.yml's three-node cluster, and the scenarios that take a node
# out, add one or reboot one), then on two Debian 13 nodes (trixie builds the cluster from
# bare guests; the others need no third node, which would cost a third more emulated CPU).
SCENARIOS := cluster day2 upgrade
TRIXIE_SCENARIOS := trixie cloudpods awx grow modules smoke
# Outside the repository: inside it, ansible-test would take git's view, which ignores .build/.
SANITY_ROOT := /tmp/ocfs2-cluster-sanity/ansible_collections/ocfs2/cluster
SANITY_HOME := $(CURDIR)/.build/sanity-home
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR ?= false
export PY_COLORS ?= 0

help:
	@echo "make demo   bring a $(NODES)-node lab up and run playbooks/site.yml on it"
	@echo "make test   lint, sanity, unit tests, Molecule scenarios on the lab (brings it down after)"
	@echo "make down   stop the lab and free its loop devices"
	@echo "make bench-site  time site.yml on the 3-node lab from bare hosts, then again"
	@echo "make bench-resize  resize.yml online and offline on the 3-node lab, with I/O probes"
	@echo "make bench-lab  boot, one trivial task, site.yml and its no-op re-run on the lab,"
	@echo "                with Ansible's default strategy and with the lab's fast one"
	@echo "make build  build the collection tarball into .build/dist"

# venv: what lint, sanity and unit need (Python's venv and the requirements), no root needed
# when python3-venv is there; deps: that and the lab's Debian packages (QEMU, debootstrap...),
# all of them first, so that a new machine runs apt once.
venv: $(VENV)/.installed $(COLLECTION_LINK) $(STRATEGY_LINK)

host-packages:
	@tools/install-host-packages

deps: host-packages venv

$(VENV)/.installed: requirements.txt
	@tools/install-host-packages --venv
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(STRATEGY_LINK): $(VENV)/.installed
	mkdir -p $(dir $@)
	ln -sfn "$$($(VENV)/bin/python -c 'import ansible_mitogen, os; print(os.path.join(os.path.dirname(ansible_mitogen.__file__), "plugins", "strategy"))')" $@

# Playbooks find this collection's roles and modules by FQCN through this link.
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

demo: deps
	tools/lab up --nodes $(NODES)
	ansible-playbook playbooks/site.yml
	ansible-playbook playbooks/status.yml

# A benchmark, not a test: wall time, tasks run and changed of site.yml from bare hosts and of
# the no-op re-run (it resets the lab's hosts and LUNs first).
bench-site: deps
	tools/lab up --nodes 3
	tools/bench-site

# A benchmark, not a test: grows the lab's LUN twice and times resize.yml online and offline,
# with a probe on every node measuring how long the filesystem could not be used.
bench-resize: deps
	tools/lab up --nodes 3
	ansible-playbook playbooks/site.yml
	tools/bench-resize

# A benchmark, not a test: the lab's own costs (tools/bench-lab), with Ansible's default
# strategy and with the lab's fast one. BENCH_LAB_ARGS=--site also times site.yml.
bench-lab: deps
	tools/bench-lab $(BENCH_LAB_ARGS)

# Each stage's wall time goes into .build/test-times.tsv; the table is printed at the end.
test:
	@rm -f .build/test-times.tsv
	@tools/timed deps $(MAKE) --no-print-directory deps || { tools/timed --table; exit 1; }
	@# The guest images of Debian 12 and 13 build at once (mostly downloads) while lint, sanity
	@# and unit use the CPU, then the lab boots (the scenarios' create step reuses it) and the
	@# upgrade test's packages are fetched while the unit and API tests run.
	@failed=""; \
	tools/timed "guest images and lab boot (beside lint, sanity, unit)" bash -c \
		"tools/lab image --suite trixie & trixie=\$$!; tools/lab image \
		&& tools/lab up --nodes 3 --luns 2 && tools/lab upgrade-repo && wait \$$trixie" \
		> .build/image.log 2>&1 & \
	image=$$!; \
	tools/timed lint $(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	tools/timed sanity $(MAKE) --no-print-directory sanity || failed="$$failed sanity"; \
	tools/timed unit $(MAKE) --no-print-directory unit || failed="$$failed unit"; \
	tools/timed "cloudpods API (real keystone, region)" tools/with-cloudpods \
		python3 -m pytest tests/cloudpods || [ $$? = 77 ] || failed="$$failed cloudpods-api"; \
	wait $$image || failed="$$failed image"; cat .build/image.log; \
	$(MAKE) --no-print-directory molecule || failed="$$failed molecule"; \
	tools/timed --table; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; echo "all test stages passed"

lint: venv
	ansible-lint
	python3 -m py_compile tools/lab tools/bench-site tools/bench-resize tools/fs-probe tools/awx-job \
		tools/cloudpods tools/cloudpods-agent

# ansible-test wants the collection under ansible_collections/NAMESPACE/NAME: a copy of the
# files git knows (committed or not ignored), checked with this Python in its own venvs. Its
# venvs and caches go under .build/sanity-home (its HOME), not into the user's ~/.ansible.
sanity: venv
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files --cached --others --exclude-standard | while read -r file; do \
		[ -e "$$file" ] && printf '%s\0' "$$file"; done | xargs -0 cp --parents -t $(SANITY_ROOT)
	@# ansible-test downloads a pip bootstrap script from a host outside the package registries;
	@# the stand-in bootstraps pip with ensurepip instead (pip 24.2 is what ansible-core 2.19 asks).
	mkdir -p $(SANITY_HOME)/.ansible/test/cache
	cp tools/get-pip-offline.py $(SANITY_HOME)/.ansible/test/cache/get_pip_24_2.py
	cd $(SANITY_ROOT) && HOME=$(SANITY_HOME) ansible-test sanity --python 3.11 --color no plugins/

unit: venv
	python3 -m pytest tests/unit

# Scenarios share one lab (shared_state): molecule/default's create boots it (or reuses it),
# LAB_KEEP keeps it up between scenarios, and it is brought down at the end, whatever happened.
# Each scenario is one `molecule test -s NAME`, as it runs alone, and timed.
# Molecule skips create when its state says the lab was created: a run killed mid-scenario (or a
# reboot) leaves that state behind with the lab down, and every scenario would then fail on
# unreachable nodes. `molecule reset` forgets it; create boots the lab or reuses a running one.
molecule: deps
	@rc=0; tools/lab image || rc=1; \
	molecule reset -s default >/dev/null 2>&1 || rc=1; \
	lab=""; \
	for scenario in $(SCENARIOS) $(TRIXIE_SCENARIOS); do \
		skip_unless=$$([ $$scenario = cloudpods ] && echo tools/with-cloudpods); \
		if [ $$scenario = trixie ]; then \
			tools/lab down >/dev/null; molecule reset -s default >/dev/null 2>&1 || rc=1; \
			lab="LAB_SUITE=trixie LAB_NODES=2"; \
		fi; \
		env $$lab LAB_KEEP=1 tools/timed "molecule $$scenario" $$skip_unless \
			molecule test -s $$scenario \
			|| [ $$? = 77 ] || rc=1; \
	done; \
	tools/timed "lab down" tools/lab down; exit $$rc

down:
	tools/lab down

build: deps
	ansible-galaxy collection build --force --output-path .build/dist

clean: down
	rm -rf .build $(VENV)
