//! Finds the system MPI the same way rsmpi does (`mpicc -show`, then pkg-config) and compiles the
//! one C shim (src/in_place.c) against its headers; then napi-rs's linker set-up.
fn main() {
    let mpi = match build_probe_mpi::probe() {
        Ok(lib) => lib,
        Err(errs) => {
            panic!(
                "kindling-mpi: no MPI library found ({errs:?}). Install one, e.g. on Debian/Ubuntu: \
                 apt-get install openmpi-bin libopenmpi-dev libclang-dev"
            );
        }
    };
    let mut shim = cc::Build::new();
    shim.file("src/in_place.c");
    for dir in &mpi.include_paths {
        shim.include(dir);
    }
    shim.compile("kindling_mpi_in_place");
    println!("cargo:rerun-if-changed=src/in_place.c");
    napi_build::setup();
}
