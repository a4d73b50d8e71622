"""Stand-in for the get-pip.py that ansible-test downloads from a host this workplace cannot
reach. ansible-test runs it in a fresh virtual environment with pip install arguments (the pip
version and packages to install); this bootstraps pip from the interpreter's own ensurepip and
hands those arguments to it, so the packages still come from the package index."""

import ensurepip
import subprocess
import sys

# get-pip's own switches; pip install does not know them.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

ensurepip.bootstrap(upgrade=True)
subprocess.check_call([sys.executable, "-m", "pip", "install"]
                      + [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY])
