/* MPI_IN_PLACE is a macro whose value differs between MPI implementations ((void *) 1 in Open
   MPI, (void *) -1 in MPICH), and rsmpi does not export it: this one function hands the value of
   the MPI we are compiled against to Rust, so collectives can reduce inside the caller's buffer. */
#include <mpi.h>

void *kindling_mpi_in_place(void) { return MPI_IN_PLACE; }
