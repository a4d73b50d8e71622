# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ask a SCSI disk for its capacity (READ CAPACITY(16) through SG_IO), without a rescan.

The kernel's size of a disk changes only after a rescan, which is a change of state. Asking
the device itself answers "has the storage grown this LUN?" in check mode and in preflights.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ctypes
import errno
import fcntl
import os
import struct

from ansible_collections.ocfs2.cluster.plugins.module_utils._runner import ToolError

SG_IO = 0x2285                    # <scsi/sg.h>
SG_DXFER_FROM_DEV = -3
SG_INTERFACE_ID = ord("S")
READ_CAPACITY_16 = (0x9E, 0x10)   # SERVICE ACTION IN(16), READ CAPACITY(16)
READ_CAPACITY_16_LENGTH = 32
SENSE_LENGTH = 32
TIMEOUT_MS = 10000


class SgIoHeader(ctypes.Structure):
    """struct sg_io_hdr of <scsi/sg.h>."""
    _fields_ = [
        ("interface_id", ctypes.c_int),
        ("dxfer_direction", ctypes.c_int),
        ("cmd_len", ctypes.c_ubyte),
        ("mx_sb_len", ctypes.c_ubyte),
        ("iovec_count", ctypes.c_ushort),
        ("dxfer_len", ctypes.c_uint),
        ("dxferp", ctypes.c_void_p),
        ("cmdp", ctypes.c_void_p),
        ("sbp", ctypes.c_void_p),
        ("timeout", ctypes.c_uint),
        ("flags", ctypes.c_uint),
        ("pack_id", ctypes.c_int),
        ("usr_ptr", ctypes.c_void_p),
        ("status", ctypes.c_ubyte),
        ("masked_status", ctypes.c_ubyte),
        ("msg_status", ctypes.c_ubyte),
        ("sb_len_wr", ctypes.c_ubyte),
        ("host_status", ctypes.c_ushort),
        ("driver_status", ctypes.c_ushort),
        ("resid", ctypes.c_int),
        ("duration", ctypes.c_uint),
        ("info", ctypes.c_uint),
    ]


def read_capacity16_cdb():
    """The 16-byte command block: opcode, service action, allocation length in bytes 10-13."""
    return bytes(bytearray(READ_CAPACITY_16) + bytearray(8)
                 + bytearray(struct.pack(">I", READ_CAPACITY_16_LENGTH)) + bytearray(2))


def parse_read_capacity16(data):
    """Bytes of the LUN from READ CAPACITY(16) parameter data: (last LBA + 1) * block length."""
    if len(data) < 12:
        raise ValueError("READ CAPACITY(16) returned %d bytes, expected at least 12" % len(data))
    last_lba, block_length = struct.unpack(">QI", bytes(data[:12]))
    if block_length == 0:
        raise ValueError("READ CAPACITY(16) reported a block length of 0")
    return (last_lba + 1) * block_length


def read_capacity(device_path):
    """The LUN size the device reports now, in bytes; ToolError when it does not answer."""
    try:
        descriptor = os.open(device_path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise ToolError("cannot open %s to ask for its capacity: %s"
                        % (device_path, os.strerror(error.errno)), device=device_path)
    try:
        data = ctypes.create_string_buffer(READ_CAPACITY_16_LENGTH)
        sense = ctypes.create_string_buffer(SENSE_LENGTH)
        cdb = ctypes.create_string_buffer(read_capacity16_cdb(), 16)
        header = SgIoHeader(
            interface_id=SG_INTERFACE_ID, dxfer_direction=SG_DXFER_FROM_DEV, cmd_len=16,
            mx_sb_len=SENSE_LENGTH, dxfer_len=READ_CAPACITY_16_LENGTH,
            dxferp=ctypes.addressof(data), cmdp=ctypes.addressof(cdb),
            sbp=ctypes.addressof(sense), timeout=TIMEOUT_MS)
        try:
            fcntl.ioctl(descriptor, SG_IO, header)
        except (IOError, OSError) as error:
            hint = " (not a SCSI device)" if error.errno in (errno.ENOTTY, errno.EINVAL) else ""
            raise ToolError("READ CAPACITY on %s failed: %s%s"
                            % (device_path, os.strerror(error.errno), hint), device=device_path)
        if header.status or header.host_status or header.driver_status:
            raise ToolError(
                "READ CAPACITY on %s failed: SCSI status 0x%02x, host 0x%04x, driver 0x%04x, "
                "sense %s" % (device_path, header.status, header.host_status, header.driver_status,
                              sense.raw[:header.sb_len_wr].hex() or "none"), device=device_path)
        return parse_read_capacity16(data.raw[:READ_CAPACITY_16_LENGTH - header.resid])
    finally:
        os.close(descriptor)
