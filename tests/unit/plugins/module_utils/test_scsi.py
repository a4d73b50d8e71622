"""READ CAPACITY(16): the command block and the answer captured from a lab LUN."""

import binascii

import pytest
from ansible_collections.ocfs2.cluster.plugins.module_utils._scsi import (
    parse_read_capacity16, read_capacity, read_capacity16_cdb)
from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError
from conftest import read_fixture


def test_cdb_asks_for_read_capacity16_with_a_32_byte_answer():
    cdb = bytearray(read_capacity16_cdb())
    assert len(cdb) == 16
    assert (cdb[0], cdb[1] & 0x1F) == (0x9E, 0x10)
    assert cdb[10:14] == bytearray([0, 0, 0, 32])
    assert cdb[2:10] == bytearray(8) and cdb[14:] == bytearray(2)


def test_parse_the_answer_of_a_3_gib_lun():
    data = binascii.unhexlify(read_fixture("lab/read_capacity16_3g.hex").strip())
    assert parse_read_capacity16(data) == 3 << 30


def test_parse_refuses_a_short_answer():
    with pytest.raises(ValueError, match="returned 8 bytes"):
        parse_read_capacity16(bytes(8))


def test_parse_refuses_a_zero_block_length():
    with pytest.raises(ValueError, match="block length of 0"):
        parse_read_capacity16(bytes(12))


def test_a_missing_device_is_a_tool_error_that_names_it(tmp_path):
    with pytest.raises(ToolError, match="cannot open %s" % (tmp_path / "sdz")):
        read_capacity(str(tmp_path / "sdz"))


def test_a_regular_file_is_not_a_scsi_device(tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(512))
    with pytest.raises(ToolError, match="READ CAPACITY on .* failed: .*not a SCSI device"):
        read_capacity(str(disk))
