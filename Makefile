# Crossdock — front end to CMake/CTest. Every target bootstraps first (quiet when nothing is
# missing). See README.md.
BUILD   ?= build
ASAN    ?= build-asan
FUZZ    ?= build-fuzz
TSAN    ?= build-tsan
JOBS    ?= 2
ORDERS  ?= 2000
FUZZ_SECONDS ?= 15

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all bootstrap build demo test unit e2e asan tsan fuzz bench format clean

all: build

bootstrap:
	@./scripts/bootstrap.sh

build: bootstrap
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: Crossdock on its embedded store with the simulators and a stream of orders.
demo: build
	@$(BUILD)/bin/crossdock demo --orders $(ORDERS)

# Everything: unit, schema, end-to-end and kill -9 tests on the release build, the unit tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer, and a short run of every fuzzer.
test: build
	@ctest --test-dir $(BUILD) --output-on-failure
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory fuzz
	@echo "make test: all passed"

unit: build
	@ctest --test-dir $(BUILD) --output-on-failure -L unit

e2e: build
	@ctest --test-dir $(BUILD) --output-on-failure -L e2e

asan: bootstrap
	@cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCROSSDOCK_SANITIZE=ON -DCROSSDOCK_UNIT_ONLY=ON > /dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN) --output-on-failure -L unit

# The concurrent parts (store writer and completions, idempotency registry, API under
# concurrent requests) under ThreadSanitizer.
tsan: bootstrap
	@cmake -S . -B $(TSAN) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCROSSDOCK_TSAN=ON -DCROSSDOCK_UNIT_ONLY=ON > /dev/null
	@cmake --build $(TSAN) -j $(JOBS) --target store_test gateway_test flows_test
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --test-dir $(TSAN) --output-on-failure -R 'SqliteStore|ApiTest|OrderFlow'

fuzz: bootstrap
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCROSSDOCK_FUZZ=ON -DCROSSDOCK_UNIT_ONLY=ON > /dev/null
	@cmake --build $(FUZZ) -j $(JOBS)
	@./fuzz/run.sh $(FUZZ)/bin $(FUZZ_SECONDS)

bench: build
	@$(BUILD)/bin/intake_bench

format: bootstrap
	@git ls-files '*.h' '*.cc' | xargs clang-format -i --style=file

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ)
