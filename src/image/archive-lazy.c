/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libarchive, loaded when first used. Debian's libarchive pulls in libxml2,
 * ICU and libstdc++; loading and relocating them costs every berth command
 * more than the rest of its start-up (about 13 ms of CPU on the shared test
 * machine), although only the commands that read or write archives (load,
 * save, import, export, cp, commit, layer unpacking) use them. So no program
 * links libarchive: each archive_* function the code calls is defined here
 * with the prototype from <archive.h> (the compiler checks each one against
 * it) and forwards to the real one, which is looked up with dlopen/dlsym on
 * first use. A missing libarchive is a broken installation, like running out
 * of memory: the message names the library and the process aborts.
 *
 * Calling a libarchive function that is not listed below fails at link time
 * ("undefined reference to archive_..."): add one line to LIBARCHIVE_FUNCS.
 * Code that chroots into a container's tree before it uses libarchive must
 * call archive_lazy_load() first: the library cannot be found from there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/archive-lazy.h"
#include "lib/dl.h"
#include "lib/error.h"

#define LIBARCHIVE_SONAME "libarchive.so." LIBARCHIVE_SOVERSION

/* The handle and the looked-up pointers are process-wide caches of what the dynamic loader
 * would have bound at start-up; they are written once and read with atomics (threads unpack). */
static void *la_handle;

int archive_lazy_load(struct berr **err)
{
        return dl_load(&la_handle, LIBARCHIVE_SONAME, err);
}

#define LA(ret, name, params, args)                                                                                    \
        ret name params                                                                                                \
        {                                                                                                              \
                DL_FORWARD(&la_handle, LIBARCHIVE_SONAME, name)                                                        \
                return f args;                                                                                         \
        }

#define LA_VOID(name, params, args)                                                                                    \
        void name params                                                                                               \
        {                                                                                                              \
                DL_FORWARD(&la_handle, LIBARCHIVE_SONAME, name)                                                        \
                f args;                                                                                                \
        }

/* Every libarchive function that src/, tests/ and bench/ call, one a line (sorted). */
#define LIBARCHIVE_FUNCS \
        LA(time_t, archive_entry_atime, (struct archive_entry *a0), (a0)) \
        LA(int, archive_entry_atime_is_set, (struct archive_entry *a0), (a0)) \
        LA(long, archive_entry_atime_nsec, (struct archive_entry *a0), (a0)) \
        LA(struct archive_entry *, archive_entry_clear, (struct archive_entry *a0), (a0)) \
        LA(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *a0), (a0)) \
        LA_VOID(archive_entry_free, (struct archive_entry *a0), (a0)) \
        LA(la_int64_t, archive_entry_gid, (struct archive_entry *a0), (a0)) \
        LA(const char *, archive_entry_hardlink, (struct archive_entry *a0), (a0)) \
        LA(time_t, archive_entry_mtime, (struct archive_entry *a0), (a0)) \
        LA(long, archive_entry_mtime_nsec, (struct archive_entry *a0), (a0)) \
        LA(struct archive_entry *, archive_entry_new, (void), ()) \
        LA(const char *, archive_entry_pathname, (struct archive_entry *a0), (a0)) \
        LA(__LA_MODE_T, archive_entry_perm, (struct archive_entry *a0), (a0)) \
        LA(dev_t, archive_entry_rdevmajor, (struct archive_entry *a0), (a0)) \
        LA(dev_t, archive_entry_rdevminor, (struct archive_entry *a0), (a0)) \
        LA_VOID(archive_entry_set_filetype, (struct archive_entry *a0, unsigned int a1), (a0, a1)) \
        LA_VOID(archive_entry_set_gid, (struct archive_entry *a0, la_int64_t a1), (a0, a1)) \
        LA_VOID(archive_entry_set_hardlink, (struct archive_entry *a0, const char *a1), (a0, a1)) \
        LA_VOID(archive_entry_set_mode, (struct archive_entry *a0, __LA_MODE_T a1), (a0, a1)) \
        LA_VOID(archive_entry_set_mtime, (struct archive_entry *a0, time_t a1, long a2), (a0, a1, a2)) \
        LA_VOID(archive_entry_set_pathname, (struct archive_entry *a0, const char *a1), (a0, a1)) \
        LA_VOID(archive_entry_set_perm, (struct archive_entry *a0, __LA_MODE_T a1), (a0, a1)) \
        LA_VOID(archive_entry_set_rdevmajor, (struct archive_entry *a0, dev_t a1), (a0, a1)) \
        LA_VOID(archive_entry_set_rdevminor, (struct archive_entry *a0, dev_t a1), (a0, a1)) \
        LA_VOID(archive_entry_set_size, (struct archive_entry *a0, la_int64_t a1), (a0, a1)) \
        LA_VOID(archive_entry_set_symlink, (struct archive_entry *a0, const char *a1), (a0, a1)) \
        LA_VOID(archive_entry_set_uid, (struct archive_entry *a0, la_int64_t a1), (a0, a1)) \
        LA(la_int64_t, archive_entry_size, (struct archive_entry *a0), (a0)) \
        LA(int, archive_entry_size_is_set, (struct archive_entry *a0), (a0)) \
        LA(const char *, archive_entry_symlink, (struct archive_entry *a0), (a0)) \
        LA(la_int64_t, archive_entry_uid, (struct archive_entry *a0), (a0)) \
        LA_VOID(archive_entry_xattr_add_entry, (struct archive_entry *a0, const char *a1, const void *a2, size_t a3), (a0, a1, a2, a3)) \
        LA(int, archive_entry_xattr_next, (struct archive_entry *a0, const char **a1, const void **a2, size_t *a3), (a0, a1, a2, a3)) \
        LA(int, archive_entry_xattr_reset, (struct archive_entry *a0), (a0)) \
        LA(int, archive_errno, (struct archive *a0), (a0)) \
        LA(const char *, archive_error_string, (struct archive *a0), (a0)) \
        LA(la_ssize_t, archive_read_data, (struct archive *a0, void *a1, size_t a2), (a0, a1, a2)) \
        LA(int, archive_read_data_block, (struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3), (a0, a1, a2, a3)) \
        LA(int, archive_read_data_skip, (struct archive *a0), (a0)) \
        LA(int, archive_read_disk_descend, (struct archive *a0), (a0)) \
        LA(struct archive *, archive_read_disk_new, (void), ()) \
        LA(int, archive_read_disk_open, (struct archive *a0, const char *a1), (a0, a1)) \
        LA(int, archive_read_disk_set_symlink_hybrid, (struct archive *a0), (a0)) \
        LA(int, archive_read_disk_set_symlink_physical, (struct archive *a0), (a0)) \
        LA(int, archive_read_free, (struct archive *a0), (a0)) \
        LA(struct archive *, archive_read_new, (void), ()) \
        LA(int, archive_read_next_header, (struct archive *a0, struct archive_entry **a1), (a0, a1)) \
        LA(int, archive_read_next_header2, (struct archive *a0, struct archive_entry *a1), (a0, a1)) \
        LA(int, archive_read_open, (struct archive *a0, void *a1, archive_open_callback *a2, archive_read_callback *a3, archive_close_callback *a4), (a0, a1, a2, a3, a4)) \
        LA(int, archive_read_open_fd, (struct archive *a0, int a1, size_t a2), (a0, a1, a2)) \
        LA(int, archive_read_open_filename, (struct archive *a0, const char *a1, size_t a2), (a0, a1, a2)) \
        LA(int, archive_read_support_filter_bzip2, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_filter_gzip, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_filter_none, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_filter_xz, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_filter_zstd, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_format_gnutar, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_format_raw, (struct archive *a0), (a0)) \
        LA(int, archive_read_support_format_tar, (struct archive *a0), (a0)) \
        LA(int, archive_write_add_filter_gzip, (struct archive *a0), (a0)) \
        LA(int, archive_write_add_filter_zstd, (struct archive *a0), (a0)) \
        LA(int, archive_write_close, (struct archive *a0), (a0)) \
        LA(la_ssize_t, archive_write_data, (struct archive *a0, const void *a1, size_t a2), (a0, a1, a2)) \
        LA(la_ssize_t, archive_write_data_block, (struct archive *a0, const void *a1, size_t a2, la_int64_t a3), (a0, a1, a2, a3)) \
        LA(struct archive *, archive_write_disk_new, (void), ()) \
        LA(int, archive_write_disk_set_options, (struct archive *a0, int a1), (a0, a1)) \
        LA(int, archive_write_finish_entry, (struct archive *a0), (a0)) \
        LA(int, archive_write_free, (struct archive *a0), (a0)) \
        LA(int, archive_write_header, (struct archive *a0, struct archive_entry *a1), (a0, a1)) \
        LA(struct archive *, archive_write_new, (void), ()) \
        LA(int, archive_write_open, (struct archive *a0, void *a1, archive_open_callback *a2, archive_write_callback *a3, archive_close_callback *a4), (a0, a1, a2, a3, a4)) \
        LA(int, archive_write_open2, (struct archive *a0, void *a1, archive_open_callback *a2, archive_write_callback *a3, archive_close_callback *a4, archive_free_callback *a5), (a0, a1, a2, a3, a4, a5)) \
        LA(int, archive_write_open_fd, (struct archive *a0, int a1), (a0, a1)) \
        LA(int, archive_write_open_filename, (struct archive *a0, const char *a1), (a0, a1)) \
        LA(int, archive_write_set_bytes_in_last_block, (struct archive *a0, int a1), (a0, a1)) \
        LA(int, archive_write_set_bytes_per_block, (struct archive *a0, int a1), (a0, a1)) \
        LA(int, archive_write_set_format_pax_restricted, (struct archive *a0), (a0))


LIBARCHIVE_FUNCS

/* The one variadic function: format here, hand over the finished message. */
void archive_set_error(struct archive *a, int code, const char *fmt, ...)
{
        DL_FORWARD(&la_handle, LIBARCHIVE_SONAME, archive_set_error)
        char msg[1024];
        va_list ap;

        if (!fmt) {
                f(a, code, NULL); /* clears the error */
                return;
        }
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        f(a, code, "%s", msg);
}
