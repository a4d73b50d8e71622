# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place where this collection's modules run a tool or touch sysfs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ToolError(Exception):
    """A failure the operator can act on. `details` travels to fail_json as fields."""

    def __init__(self, message, **details):
        super(ToolError, self).__init__(message)
        self.details = details


class Step(object):
    """One command of a plan: its argv, what it reads on stdin (None: nothing) and why it runs
    (for diffs and messages). Every helper's plan is a list of these."""

    __slots__ = ("argv", "stdin", "why")

    def __init__(self, argv, stdin=None, why=None):
        self.argv = list(argv)
        self.stdin = stdin
        self.why = why

    def __eq__(self, other):
        return isinstance(other, Step) and (self.argv, self.stdin, self.why) == (
            other.argv, other.stdin, other.why)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "Step(%r, stdin=%r, why=%r)" % (self.argv, self.stdin, self.why)


def commands_of(steps):
    """The argv lists of a plan, as modules return them in `commands`."""
    return [step.argv for step in steps]


class Runner(object):
    """Runs tools as argv lists, never through a shell, in the C locale."""

    def __init__(self, module):
        self.module = module
        self._binaries = {}

    def binary(self, name):
        if name not in self._binaries:
            path = self.module.get_bin_path(name)
            if path is None:
                raise ToolError(
                    "%s is not installed on this node (looked in PATH and the sbin directories). "
                    "Install the package that ships it: the install role (site.yml's first step) "
                    "installs every tool this collection runs." % name, cmd=[name])
            self._binaries[name] = path
        return self._binaries[name]

    def __call__(self, argv, check=True, data=None):
        """Run argv (argv[0] a tool name); return (rc, stdout, stderr).

        With check, a non-zero exit raises ToolError carrying cmd, rc, stdout and stderr.
        """
        command = [self.binary(argv[0])] + [str(word) for word in argv[1:]]
        rc, stdout, stderr = self.module.run_command(
            command, data=data, binary_data=True,
            environ_update={"LC_ALL": "C", "LANG": "C"})
        if check and rc != 0:
            raise ToolError(
                "%s failed (rc=%d): %s" % (" ".join(command), rc, (stderr or stdout).strip()),
                cmd=command, rc=rc, stdout=stdout, stderr=stderr)
        return rc, stdout, stderr

    def run_step(self, step):
        """Run one Step of a plan (checked); return (rc, stdout, stderr)."""
        return self(step.argv, data=step.stdin)

    @staticmethod
    def read_file(path):
        with open(path) as handle:
            return handle.read()

    @staticmethod
    def device_read_error(path, length=1 << 20):
        """Why the first and last MiB of a device cannot be read (where signatures live), or
        None when they can."""
        try:
            with open(path, "rb") as handle:
                handle.read(length)
                handle.seek(0, 2)
                handle.seek(max(0, handle.tell() - length))
                handle.read(length)
        except (IOError, OSError) as error:
            return str(error)
        return None

    @staticmethod
    def write_file(path, text):
        with open(path, "w") as handle:
            handle.write(text)
