# The README's commands, on a Debian 12 machine as root:
#   make demo   bring the lab up and run playbooks/site.yml on it
#   make test   lint, unit tests, and the Molecule scenarios on the lab
#   make down   stop the lab
# Each target installs what it needs (Debian packages, the virtual environment) first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help deps demo test lint unit molecule down build clean

NODES ?= 3
VENV := $(CURDIR)/.venv
COLLECTION_LINK := $(CURDIR)/.build/collections/ansible_collections/ocfs2/cluster
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR ?= false
export PY_COLORS ?= 0

help:
	@echo "make demo   bring a $(NODES)-node lab up and run playbooks/site.yml on it"
	@echo "make test   lint, unit tests, Molecule scenarios on the lab (brings it down after)"
	@echo "make down   stop the lab and free its loop devices"
	@echo "make build  build the collection tarball into .build/dist"

deps: $(VENV)/.installed $(COLLECTION_LINK)
	@tools/install-host-packages

$(VENV)/.installed: requirements.txt
	@tools/install-host-packages
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Playbooks find this collection's roles and modules by FQCN through this link.
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

demo: deps
	tools/lab up --nodes $(NODES)
	ansible-playbook playbooks/site.yml

test: deps
	@failed=""; \
	$(MAKE) --no-print-directory lint || failed="$$failed lint"; \
	$(MAKE) --no-print-directory unit || failed="$$failed unit"; \
	$(MAKE) --no-print-directory molecule || failed="$$failed molecule"; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; echo "all test stages passed"

lint: deps
	ansible-lint
	python3 -m py_compile tools/lab

unit: deps
	python3 -m pytest tests/unit

# Scenarios share one lab (shared_state): molecule/default boots it once and brings it down
# at the end; the lab is brought down here too, whatever happened.
molecule: deps
	@rc=0; molecule test --all || rc=$$?; tools/lab down; exit $$rc

down:
	tools/lab down

build: deps
	ansible-galaxy collection build --force --output-path .build/dist

clean: down
	rm -rf .build $(VENV)
