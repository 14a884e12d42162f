#!/usr/bin/env bash
# Regenerates Sources/Shared/Proto from Proto/caravan/v1/*.proto.
#
# protoc comes from Debian's protobuf-compiler; the two Swift plugins are built (release) from the
# mirrored swift-protobuf and grpc-swift-protobuf packages into a cache folder outside the repository,
# so neither the normal build nor CI ever needs them. Output is deterministic: rerunning on unchanged
# protos produces no diff.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${CARAVAN_PROTOC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/caravan-protoc-plugins}
out="$repo/Sources/Shared/Proto"

if ! command -v protoc >/dev/null; then
    echo "generate.sh: protoc not found; installing Debian's protobuf-compiler" >&2
    apt-get update -qq && apt-get install -y -qq protobuf-compiler
fi

if [ ! -x "$cache/.build/release/protoc-gen-swift" ] || [ ! -x "$cache/.build/release/protoc-gen-grpc-swift-2" ]; then
    echo "generate.sh: building protoc plugins into $cache (about 2 minutes, once)" >&2
    mkdir -p "$cache/Sources/Placeholder"
    cat > "$cache/Package.swift" <<'PKG'
// swift-tools-version: 6.0
import PackageDescription

// A wrapper whose only purpose is to build the protoc plugins of the pinned versions.
let package = Package(
    name: "CaravanProtocPlugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: [.target(name: "Placeholder")]
)
PKG
    echo "// intentionally empty" > "$cache/Sources/Placeholder/Placeholder.swift"
    (cd "$cache" && swift build -c release --product protoc-gen-swift && swift build -c release --product protoc-gen-grpc-swift-2)
fi

rm -rf "$out"
mkdir -p "$out"
cd "$repo/Proto"
protoc \
    --plugin=protoc-gen-swift="$cache/.build/release/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift-2="$cache/.build/release/protoc-gen-grpc-swift-2" \
    --swift_out="$out" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
    --grpc-swift-2_out="$out" --grpc-swift-2_opt=Visibility=Public,Server=true,Client=true,FileNaming=PathToUnderscores \
    -I . caravan/v1/*.proto
echo "generate.sh: wrote $(ls "$out" | wc -l) files to Sources/Shared/Proto" >&2
