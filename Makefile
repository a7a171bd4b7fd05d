# kdump2elf - plain GNU make with pkg-config.
#
#   make                  build kdump2elf (into build/)
#   make check            build, then run every test (unit, end-to-end, fuzz replay),
#                         then all of it again built with ASan + UBSan (build-san/)
#   make test             the first half only; make check-sanitize the second
#   make install PREFIX=/usr/local DESTDIR=
#   make deb              kdump2elf_VERSION_ARCH.deb here (debian/; built in a copy under $(O)/deb)
#   make HAVE_ZSTD=0      leave a codec out (also HAVE_ZLIB, HAVE_LZO, HAVE_SNAPPY);
#                         HAVE_FUSE=0 leaves --mount out
#   make HAVE_LIBDEFLATE=0  decode zlib pages with ISA-L (HAVE_ISAL) or zlib
#   make V=1              show the commands

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
O ?= build
SANITIZE ?= 0

ifeq ($(V),1)
Q :=
else
Q := @
endif

has = $(shell $(PKG_CONFIG) --exists $(1) && echo 1 || echo 0)
HAVE_ZLIB ?= $(call has,zlib)
HAVE_LZO ?= $(call has,lzo2)
HAVE_SNAPPY ?= $(call has,snappy)
HAVE_ZSTD ?= $(call has,libzstd)
# --mount needs libfuse3; without it the option says it is not built.
HAVE_FUSE ?= $(call has,fuse3)
# zlib pages: the faster decoders, tried in this order (codecs/codec.c);
# ISA-L only where libdeflate is not (it would not be used)
HAVE_LIBDEFLATE ?= $(call has,libdeflate)
HAVE_ISAL ?= $(if $(filter 1,$(HAVE_LIBDEFLATE)),0,$(call has,libisal))

CODEC_PKGS :=
ifeq ($(HAVE_ZLIB),1)
CODEC_PKGS += zlib
endif
ifeq ($(HAVE_LZO),1)
CODEC_PKGS += lzo2
endif
ifeq ($(HAVE_SNAPPY),1)
CODEC_PKGS += snappy
endif
ifeq ($(HAVE_ZSTD),1)
CODEC_PKGS += libzstd
endif
ifeq ($(HAVE_LIBDEFLATE),1)
CODEC_PKGS += libdeflate
endif
ifeq ($(HAVE_ISAL),1)
CODEC_PKGS += libisal
endif
LEFT_OUT := $(strip $(if $(filter 0,$(HAVE_ZLIB)),zlib) $(if $(filter 0,$(HAVE_LZO)),lzo) \
	$(if $(filter 0,$(HAVE_SNAPPY)),snappy) $(if $(filter 0,$(HAVE_ZSTD)),zstd) \
	$(if $(filter 1,$(HAVE_LIBDEFLATE) $(HAVE_ISAL)),,libdeflate))

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
OPT ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(SANITIZE),1)
OPT := -O1 -g
EXTRA_FLAGS := $(SAN_FLAGS)
endif

CPPFLAGS += -I. -D_GNU_SOURCE -DHAVE_ZLIB=$(HAVE_ZLIB) -DHAVE_LZO=$(HAVE_LZO) \
	-DHAVE_SNAPPY=$(HAVE_SNAPPY) -DHAVE_ZSTD=$(HAVE_ZSTD) \
	-DHAVE_LIBDEFLATE=$(HAVE_LIBDEFLATE) -DHAVE_ISAL=$(HAVE_ISAL)
CFLAGS += -std=gnu11 $(OPT) $(WARN) -pthread $(EXTRA_FLAGS) \
	$(if $(strip $(CODEC_PKGS)),$(shell $(PKG_CONFIG) --cflags $(CODEC_PKGS)))
LDFLAGS += -pthread $(EXTRA_FLAGS)
LDLIBS += $(if $(strip $(CODEC_PKGS)),$(shell $(PKG_CONFIG) --libs $(CODEC_PKGS))) \
	$(shell $(PKG_CONFIG) --libs libdw libelf libbpf)

LIB_SRC := $(wildcard lib/*.c io/*.c codecs/*.c formats/*.c arch/*.c kernel/*.c btf/*.c analysis/*.c debuginfo/*.c convert/*.c output/*.c)
CLI_SRC := $(filter-out cli/main.c,$(wildcard cli/*.c)) \
	$(if $(filter 1,$(HAVE_FUSE)),mount/fs.c,mount/fs-none.c)
FUSE_LIBS := $(if $(filter 1,$(HAVE_FUSE)),$(shell $(PKG_CONFIG) --libs fuse3))
$(O)/mount/fs.o: CFLAGS += $(shell $(PKG_CONFIG) --cflags fuse3)
LIB_OBJ := $(LIB_SRC:%.c=$(O)/%.o)
GEN_SRC := $(wildcard tests/gen/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

all: $(O)/kdump2elf
	@test -z "$(LEFT_OUT)" || echo "note: built without $(LEFT_OUT) support"

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/libk2e.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/kdump2elf: $(O)/cli/main.o $(CLI_SRC:%.c=$(O)/%.o) $(O)/libk2e.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(FUSE_LIBS)

# The same program with zlib pages decoded by zlib alone (codecs/codec.c,
# K2E_ZLIB_ONLY): tests compare its cores with kdump2elf's, the benchmark
# times both.  Its codec table comes first, so the archive's is not linked.
$(O)/codecs/zlib-only/codec.o: codecs/codec.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) -DK2E_ZLIB_ONLY=1 $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/kdump2elf-zlib: $(O)/cli/main.o $(CLI_SRC:%.c=$(O)/%.o) $(O)/codecs/zlib-only/codec.o $(O)/libk2e.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(FUSE_LIBS)

# The synthetic dump generator always has every codec: it must write them all.
GEN_LIBS := $(shell $(PKG_CONFIG) --libs zlib lzo2 snappy libzstd libbpf)
$(O)/k2e-mkdump: $(GEN_SRC:%.c=$(O)/%.o)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(GEN_LIBS) -lm

$(O)/tests/gen/%.o: CFLAGS += $(shell $(PKG_CONFIG) --cflags zlib lzo2 snappy libzstd)
$(O)/tests/gen/%.o: CPPFLAGS += -U_GNU_SOURCE

$(O)/unit-tests: $(UNIT_SRC:%.c=$(O)/%.o) $(O)/libk2e.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets, linked with the replay driver (libFuzzer-compatible entry point).
$(O)/fuzz/%: $(O)/tests/fuzz/%.o $(O)/tests/fuzz/replay.o $(O)/libk2e.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(O)/fuzz/%)

# Test tools: one C file each under tests/tools/, linked with the library.
TOOL_BINS := $(patsubst tests/tools/%.c,$(O)/tools/%,$(wildcard tests/tools/*.c))
$(O)/tools/%: $(O)/tests/tools/%.o $(O)/libk2e.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

test-bins: $(O)/kdump2elf $(O)/kdump2elf-zlib $(O)/k2e-mkdump $(O)/unit-tests $(FUZZ_BINS) $(TOOL_BINS)

# The whole suite, then the whole suite again under ASan + UBSan.
check: test check-sanitize

test: test-bins
	$(Q)O=$(O) K2E_SANITIZE=$(filter 1,$(SANITIZE)) tests/run-all.sh

check-sanitize:
	$(Q)$(MAKE) O=build-san SANITIZE=1 test

install: $(O)/kdump2elf
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(O)/kdump2elf $(DESTDIR)$(BINDIR)/kdump2elf
	install -m 644 man/kdump2elf.1 $(DESTDIR)$(MANDIR)/man1/kdump2elf.1

lint-man:
	mandoc -Tlint -W warning man/kdump2elf.1

clean:
	rm -rf build build-san

.PHONY: all check test check-sanitize install clean test-bins lint-man
.DELETE_ON_ERROR:

# Every object depends on the headers it includes (-MMD), tests and tools too.
-include $(LIB_OBJ:.o=.d) $(O)/cli/main.d $(CLI_SRC:%.c=$(O)/%.d) \
	$(UNIT_SRC:%.c=$(O)/%.d) $(GEN_SRC:%.c=$(O)/%.d) $(FUZZ_SRC:%.c=$(O)/%.d) \
	$(O)/tests/fuzz/replay.d $(O)/codecs/zlib-only/codec.d $(patsubst tests/tools/%.c,$(O)/tests/tools/%.d,$(wildcard tests/tools/*.c))

# The example: a dump converted with no vmlinux, and what came out (tests/demo.sh):
# a cached real fixture, else a synthetic kernel made here.  DEMO=synthetic forces it.
DEMO ?= auto
demo: $(O)/kdump2elf $(O)/k2e-mkdump
	$(Q)O=$(O) K2E_DEMO=$(DEMO) tests/demo.sh

.PHONY: demo

# Issue 7's benchmark (not part of check): bench/run.sh, table in bench/results-latest.txt.
bench:
	bench/run.sh
	bench/mount.sh

.PHONY: bench

# The Debian package (debian/), built by dpkg-buildpackage in a copy of the
# sources under $(O)/deb (the tracked files of a git checkout, else the tree
# without build directories), so nothing is written beside the checkout; the
# .deb is copied here.
deb:
	rm -rf $(O)/deb && mkdir -p $(O)/deb/src
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f - ; \
	else \
		tar -c --exclude=./.git --exclude='./build*' --exclude=./$(O) --exclude='./*.deb' -f - . ; \
	fi | tar -x -C $(O)/deb/src
	cd $(O)/deb/src && dpkg-buildpackage -us -uc -b
	cp $(O)/deb/kdump2elf_*.deb .
	@ls kdump2elf_*.deb

.PHONY: deb
