# Generated protobuf-c code: our copy of the part of Tetragon's API that we
# use (proto/tetragon/*.proto) and the well-known types it imports, which
# libprotobuf-c does not ship as C code (the .proto files come with
# libprotobuf-dev). Everything lands in $(BUILD)/gen, shared by the variants.

# `make` alone still means `make all`, whatever order mk/*.mk come in.
.DEFAULT_GOAL := all

PROTOC_C  ?= protoc-c
WKT_INC   ?= /usr/include
GEN_DIR    = $(BUILD)/gen
PROTO_SRCS := $(sort $(wildcard proto/tetragon/*.proto))
WKT_NAMES  := timestamp wrappers duration field_mask
WKT_SRCS   := $(WKT_NAMES:%=$(WKT_INC)/google/protobuf/%.proto)
PROTO_GEN_C = $(PROTO_SRCS:proto/%.proto=$(GEN_DIR)/%.pb-c.c) \
	      $(WKT_NAMES:%=$(GEN_DIR)/google/protobuf/%.pb-c.c)
PROTO_GEN_H = $(PROTO_GEN_C:.c=.h)

GEN_SRCS += $(PROTO_GEN_C)
GEN_HDRS += $(PROTO_GEN_H)
# The Makefile's -I$(BUILD)/gen is expanded before BUILD gets its default;
# name the directory again, late enough to be right with any BUILD.
CFLAGS += -I$(GEN_DIR)

# One protoc-c run writes every file; the stamp stands for all of them.
$(GEN_DIR)/.proto.stamp: $(PROTO_SRCS) mk/proto.mk
	@mkdir -p $(GEN_DIR)
	$(PROTOC_C) -I proto -I $(WKT_INC) --c_out=$(GEN_DIR) $(PROTO_SRCS) $(WKT_SRCS)
	@touch $@

$(PROTO_GEN_C) $(PROTO_GEN_H): $(GEN_DIR)/.proto.stamp
	@test -f $@ || { rm -f $<; echo "missing $@: run make again" >&2; exit 1; }

# Generated code is not ours to restyle.
$(PROTO_GEN_C:%.c=$(O)/%.o): CFLAGS += -Wno-missing-field-initializers -Wno-unused-parameter
