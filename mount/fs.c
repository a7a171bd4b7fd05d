/* fs.c - a struct k2e_virtual_core as a read-only FUSE file system (see fs.h). */
#define FUSE_USE_VERSION 314
#include "mount/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fileio.h"

/* Pages decoded ahead of a sequential reader of the core, by one thread. */
struct readahead {
	pthread_t tid;
	bool started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t from, to;		/* core offsets still to decode; from == to: nothing */
	uint64_t seq_end;		/* where the last read of the core ended */
};

struct fs {
	struct k2e_virtual_core *v;
	const struct k2e_mount_opts *o;
	const char **names;		/* each file's last path component */
	uint64_t *sizes;
	struct timespec when;
	uid_t uid;
	gid_t gid;
	struct readahead ra;
	pthread_mutex_t mu;		/* stats */
	struct k2e_mount_stats *stats;
};

static struct fs *fs_of(void)
{
	return fuse_get_context()->private_data;
}

/* The file at path ("/NAME"), or -1. */
static int file_index(const struct fs *fs, const char *path)
{
	if (path[0] != '/' || strchr(path + 1, '/'))
		return -1;
	for (size_t i = 0; i < fs->v->n_files; i++)
		if (strcmp(path + 1, fs->names[i]) == 0)
			return (int)i;
	return -1;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of();
	int i;

	(void)fi;
	memset(st, 0, sizeof(*st));
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_atim = st->st_mtim = st->st_ctim = fs->when;
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return 0;
	}
	if ((i = file_index(fs, path)) < 0)
		return -ENOENT;
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_size = (off_t)fs->sizes[i];
	/* What it would take on disk: the pages it holds, not the holes. */
	st->st_blocks = (blkcnt_t)((fs->sizes[i] + 511) / 512);
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct fs *fs = fs_of();

	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/") != 0)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	for (size_t i = 0; i < fs->v->n_files; i++)
		fill(buf, fs->names[i], NULL, 0, 0);
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of();
	int i = file_index(fs, path);

	if (i < 0)
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	fi->fh = (uint64_t)i;
	fi->keep_cache = 1;	/* the files never change */
	return 0;
}

static void count(struct fs *fs, size_t bytes, const struct k2e_err *failed)
{
	pthread_mutex_lock(&fs->mu);
	fs->stats->reads++;
	fs->stats->bytes += bytes;
	if (failed && fs->stats->failed_reads++ == 0)
		snprintf(fs->stats->first_error, sizeof(fs->stats->first_error), "%s", failed->msg);
	pthread_mutex_unlock(&fs->mu);
}

/* A read of the core: if it follows the last one, have the pages after it decoded ahead. */
static void readahead_note(struct fs *fs, uint64_t off, size_t len)
{
	struct readahead *ra = &fs->ra;
	uint64_t end = off + len, want;

	if (!ra->started)
		return;
	want = (uint64_t)fs->o->readahead_pages * fs->v->l.page_size;
	pthread_mutex_lock(&ra->mu);
	if (off == ra->seq_end && end < fs->v->l.data_end) {
		if (ra->to < end + want / 2 || ra->from > end + want) {
			ra->from = ra->from > end && ra->from < ra->to ? ra->from : end;
			ra->to = end + want;
			pthread_cond_signal(&ra->cv);
		}
	}
	ra->seq_end = end;
	pthread_mutex_unlock(&ra->mu);
}

static void *readahead_main(void *arg)
{
	struct fs *fs = arg;
	struct readahead *ra = &fs->ra;
	const struct k2e_layout *l = &fs->v->l;
	unsigned char *page = malloc(l->page_size);

	pthread_mutex_lock(&ra->mu);
	while (page && !ra->stop) {
		uint64_t at;

		if (ra->from >= ra->to) {
			pthread_cond_wait(&ra->cv, &ra->mu);
			continue;
		}
		at = ra->from & ~(uint64_t)(l->page_size - 1);
		ra->from = at + l->page_size;
		pthread_mutex_unlock(&ra->mu);
		if (at >= l->data_start && at < l->data_end) {
			struct k2e_err e;

			/* Into the cache; a page that does not decode fails its own read later. */
			if (fs->v->ix.ent[(at - l->data_start) >> l->page_shift].kind == K2E_PAGE_DATA)
				(void)k2e_page_reader_read(fs->v->reader, k2e_layout_off_pfn(l, at), 0,
							   page, l->page_size, &e);
		}
		pthread_mutex_lock(&ra->mu);
	}
	pthread_mutex_unlock(&ra->mu);
	free(page);
	return NULL;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct fs *fs = fs_of();
	size_t i = (size_t)fi->fh, got = 0;
	struct k2e_err e;
	int rc;

	(void)path;
	if (off < 0 || i >= fs->v->n_files)
		return -EINVAL;
	if (i == 0) {
		readahead_note(fs, (uint64_t)off, size);
		rc = k2e_virtual_core_read(fs->v, buf, size, (uint64_t)off, &got, &e);
	} else {
		rc = k2e_pread_all(fs->v->files[i]->fd, buf, size, (uint64_t)off, &got, &e);
	}
	count(fs, got, rc < 0 ? &e : NULL);
	return rc < 0 ? -EIO : (int)got;
}

static int fs_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_bsize = 4096;
	st->f_namemax = 255;
	return 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->kernel_cache = 1;		/* nothing changes behind the kernel's back */
	cfg->entry_timeout = cfg->attr_timeout = 86400;
	cfg->use_ino = 0;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations fs_ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
	.statfs = fs_statfs,
};

static void fs_release(struct fs *fs)
{
	if (fs->ra.started) {
		pthread_mutex_lock(&fs->ra.mu);
		fs->ra.stop = true;
		pthread_cond_signal(&fs->ra.cv);
		pthread_mutex_unlock(&fs->ra.mu);
		pthread_join(fs->ra.tid, NULL);
	}
	pthread_mutex_destroy(&fs->ra.mu);
	pthread_cond_destroy(&fs->ra.cv);
	pthread_mutex_destroy(&fs->mu);
	free(fs->names);
	free(fs->sizes);
}

static int fs_setup(struct fs *fs, struct k2e_virtual_core *v, const struct k2e_mount_opts *o,
		    struct k2e_mount_stats *stats, struct k2e_err *err)
{
	memset(fs, 0, sizeof(*fs));
	fs->v = v;
	fs->o = o;
	fs->stats = stats;
	fs->uid = getuid();
	fs->gid = getgid();
	clock_gettime(CLOCK_REALTIME, &fs->when);
	pthread_mutex_init(&fs->mu, NULL);
	pthread_mutex_init(&fs->ra.mu, NULL);
	pthread_cond_init(&fs->ra.cv, NULL);
	fs->names = calloc(v->n_files ? v->n_files : 1, sizeof(*fs->names));
	fs->sizes = calloc(v->n_files ? v->n_files : 1, sizeof(*fs->sizes));
	if (!fs->names || !fs->sizes)
		return k2e_err_set(err, "out of memory");
	for (size_t i = 0; i < v->n_files; i++) {
		const char *slash = strrchr(v->files[i]->path, '/');
		struct stat st;

		fs->names[i] = slash ? slash + 1 : v->files[i]->path;
		if (i == 0) {
			fs->sizes[i] = v->core_size;
		} else if (fstat(v->files[i]->fd, &st) == 0) {
			fs->sizes[i] = (uint64_t)st.st_size;
		} else {
			return k2e_err_errno(err, errno, "'%s'", v->files[i]->path);
		}
	}
	return 0;
}

int k2e_mount_serve(struct k2e_virtual_core *v, const struct k2e_mount_opts *o,
		    struct k2e_mount_stats *stats, struct k2e_err *err)
{
	char *argv[] = { "kdump2elf", "-o", "ro,default_permissions,fsname=kdump2elf,subtype=kdump2elf", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_loop_config *cfg = NULL;
	struct fuse_session *se;
	struct fuse *f = NULL;
	struct fs fs;
	bool mounted = false, handlers = false;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (fs_setup(&fs, v, o, stats, err) < 0)
		goto out;
	if (!(f = fuse_new(&args, &fs_ops, sizeof(fs_ops), &fs))) {
		k2e_err_set(err, "cannot start a FUSE file system (is /dev/fuse there?)");
		goto out;
	}
	if (fuse_mount(f, o->dir) != 0) {
		k2e_err_set(err, "'%s': cannot mount a FUSE file system here (fuse3 installed? /dev/fuse usable?)",
			    o->dir);
		goto out;
	}
	mounted = true;
	se = fuse_get_session(f);
	if (o->ready)
		o->ready(o->ready_arg);
	if (fuse_daemonize(o->foreground) != 0) {
		k2e_err_set(err, "'%s': cannot go to the background", o->dir);
		goto out;
	}
	/* Threads only now: the background process is a child of the one that started. */
	if (fuse_set_signal_handlers(se) != 0) {
		k2e_err_set(err, "cannot set signal handlers");
		goto out;
	}
	handlers = true;
	if (o->readahead_pages) {
		if (pthread_create(&fs.ra.tid, NULL, readahead_main, &fs) == 0)
			fs.ra.started = true;
	}
	if (!(cfg = fuse_loop_cfg_create())) {
		k2e_err_set(err, "out of memory");
		goto out;
	}
	fuse_loop_cfg_set_max_threads(cfg, o->threads ? o->threads : 4);
	fuse_loop_cfg_set_idle_threads(cfg, o->threads ? o->threads : 4);
	if (fuse_loop_mt(f, cfg) < 0) {
		k2e_err_set(err, "'%s': serving the file system failed", o->dir);
		goto out;
	}
	rc = 0;
out:
	if (cfg)
		fuse_loop_cfg_destroy(cfg);
	if (handlers)
		fuse_remove_signal_handlers(fuse_get_session(f));
	if (mounted)
		fuse_unmount(f);
	if (f)
		fuse_destroy(f);
	fuse_opt_free_args(&args);
	if (v->reader)
		k2e_page_reader_stats(v->reader, &stats->decoded, &stats->cache_hits);
	fs_release(&fs);
	return rc;
}
