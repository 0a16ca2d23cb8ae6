"""What a reader raises when an input is not a model it can lint.

UnreadableModel (DL001) and its kinds with codes of their own are errors: the run exits 2 unless
the code is ignored for that file. NothingToLint is not an error: the file is not a model and
never claimed to be one (a weights-only file), so there is nothing to lint in it.
"""


class UnreadableModel(Exception):
    """The file cannot be read as a model; the message is one plain sentence."""

    code = "DL001"


class LfsPointer(UnreadableModel):
    """A Git LFS pointer stands where the model should be: the file was never fetched."""

    code = "DL004"


class NothingToLint(Exception):
    """Not a model and not an error (weights only, no architecture); the message says why."""
