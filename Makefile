# Makefile — the two commands of the README, and a few helpers around CMake.
#   make run    install what is missing, build, migrate ./var/iprshield.db,
#               seed demo data, serve http://127.0.0.1:8080
#   make test   install what is missing, build, run every test
#   make bench  build Release and run the benchmarks in bench/ (docs/benchmarks.md)
#   make fuzz-smoke  build the libFuzzer harnesses (clang) and run each briefly
MAKEFLAGS  += --no-print-directory
BUILD      ?= build
ASAN_BUILD ?= build-asan
BUILD_TYPE ?= Debug
CMAKE_FLAGS ?=
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DB         ?= ./var/iprshield.db
LISTEN     ?= 127.0.0.1:8080
DEMO_FLAGS ?= --brands 20 --sellers 50 --listings 1000
BIN         = $(BUILD)/iprshield

.PHONY: all deps build run test test-asan asan release format clean bench fuzz fuzz-smoke

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

release:
	@$(MAKE) build BUILD=build-release BUILD_TYPE=Release

run: build
	@mkdir -p var
	@$(BIN) db migrate --db $(DB)
	@$(BIN) demo seed --db $(DB) $(DEMO_FLAGS)
	@echo "iprshield: serving http://$(LISTEN)/ (Ctrl-C to stop)"
	@exec $(BIN) serve --db $(DB) --listen $(LISTEN)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIPRSHIELD_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# The sanitised run repeats the NATS cluster test with 20,000 listings
# instead of 100,000 (the plain run keeps the issue's size), and runs the
# store's unit tests on PostgreSQL but not the e2e programs a second time on
# it (pg/e2e/* and pg/browser/*: the plain run has them; the HTTP layer
# above the store is the same code on both backends).
test-asan: asan
	@cd $(ASAN_BUILD) && SCANQ_TEST_LISTINGS=20000 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) -E '^pg/(e2e|browser)/'

# Benchmarks (bench/): a Release build, each benchmark beside its baseline.
BENCH_ROWS ?= 200000
BENCH_SELLERS ?= 10000000
bench: deps
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-release -j $(JOBS) --target iprshield bench_import bench_clusters
	@build-release/bench_import --bin build-release/iprshield --rows $(BENCH_ROWS)
	@build-release/bench_clusters --sellers $(BENCH_SELLERS)

# Fuzzing (tests/fuzz, docs/fuzzing.md): libFuzzer harnesses built with clang,
# ASan and UBSan in $(FUZZ_BUILD); fuzz-smoke runs each for FUZZ_SECONDS.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 20
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	  -DIPRSHIELD_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz

fuzz-smoke: fuzz
	@scripts/fuzz-smoke.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) test-output/fuzz

format:
	@find src tests -name '*.[ch]' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-release $(FUZZ_BUILD)
