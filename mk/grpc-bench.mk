# The gRPC benchmark (bench/grpc/run.sh, `make bench-grpc`): the transport
# floor client. `make` alone still means `make all`.
.DEFAULT_GOAL := all

EXTRA_BINS += $(O)/rti-grpc-floor

$(O)/rti-grpc-floor: $(O)/bench/grpc/grpc-floor.o $(O)/libstella-rti.a
	$(CC) $(VLDFLAGS) -o $@ $^ $(LIBS)

.PHONY: bench-grpc
bench-grpc: deps
	@$(MAKE) --no-print-directory V=rel all
	@BUILD=$(BUILD) bash bench/grpc/run.sh
