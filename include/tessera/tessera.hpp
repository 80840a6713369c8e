#pragma once
/// @file
/// The whole library in one include: what a consumer of the installed package starts with.
/// Each header below is also self-contained; include only the ones used to compile faster.
/// docs/architecture.md explains how they fit together.
///
///     #include <tessera/tessera.hpp>
///     tessera::planner<double> plan;                       // descriptors chosen at run time
///     plan.add(tessera::csp{12});
///     plan.add(tessera::coordination{3.0});
///     const auto out = plan.run(positions, box);           // one neighbour query, one pass
///
/// gzip dumps need zlib at link time (ZLIB::ZLIB / -lz) when a reader or writer is used.

#include <tessera/version.hpp>

// core: particle access, boxes, properties, execution policies, errors, atom selections
#include <tessera/core/any_box.hpp>
#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/polar.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/core/selection.hpp>
#include <tessera/core/vec.hpp>

// neighbours
#include <tessera/neighbors/brute_force.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/compact_list.hpp>
#include <tessera/neighbors/delaunay.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/prefix_list.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/neighbors/rtree.hpp>
#include <tessera/neighbors/verlet.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/neighbors/voronoi_cell.hpp>
#include <tessera/neighbors/voronoi_tessellation.hpp>

// descriptors (the contract first)
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/descriptors/cell_descriptor.hpp>
#include <tessera/descriptors/frame_pair.hpp>
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/interstice.hpp>
#include <tessera/descriptors/local_rdf.hpp>
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/descriptors/symmetry_functions.hpp>
#include <tessera/descriptors/voronoi_cell.hpp>
#include <tessera/descriptors/voronoi_columns.hpp>
#include <tessera/descriptors/voronoi_statistics.hpp>

// composition: compile-time pipelines and the run-time planner
#include <tessera/pipeline/any_descriptor.hpp>
#include <tessera/pipeline/cell_columns.hpp>
#include <tessera/pipeline/frame_pairs.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/pipeline/planner.hpp>
#include <tessera/pipeline/voronoi_stage.hpp>

// dynamics, clusters, statistics
#include <tessera/cluster/components.hpp>
#include <tessera/cluster/gmm.hpp>
#include <tessera/cluster/hierarchical.hpp>
#include <tessera/cluster/kmeans.hpp>
#include <tessera/cluster/pca.hpp>
#include <tessera/dynamics/bond_changes.hpp>
#include <tessera/dynamics/d2min.hpp>
#include <tessera/dynamics/lens.hpp>
#include <tessera/dynamics/msd.hpp>
#include <tessera/dynamics/timeseries.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/dynamics/vibrational_msd.hpp>
#include <tessera/stats/conditional.hpp>
#include <tessera/stats/correlation.hpp>
#include <tessera/stats/histogram.hpp>
#include <tessera/stats/power_factor.hpp>
#include <tessera/stats/power_law.hpp>
#include <tessera/stats/rdf.hpp>
#include <tessera/stats/savgol.hpp>
#include <tessera/stats/spatial_correlation.hpp>
#include <tessera/stats/temporal_correlation.hpp>
#include <tessera/stats/voxel_field.hpp>

// defects: the dislocation extraction analysis (dislocations.hpp) and its steps
#include <tessera/defects/burgers_tracer.hpp>
#include <tessera/defects/cluster_graph.hpp>
#include <tessera/defects/crystal_analysis.hpp>
#include <tessera/defects/dislocation_network.hpp>
#include <tessera/defects/dislocations.hpp>
#include <tessera/defects/elastic_mapping.hpp>
#include <tessera/defects/interface_mesh.hpp>
#include <tessera/defects/lattice_tables.hpp>
#include <tessera/defects/structure_identification.hpp>

// learning: feature tables, scaling, models over per-particle feature rows (scikit-learn semantics;
// learn/svm_train.hpp needs libsvm: include it yourself)
#include <tessera/learn/ensemble.hpp>
#include <tessera/learn/feature_matrix.hpp>
#include <tessera/learn/feature_selection.hpp>
#include <tessera/learn/knn.hpp>
#include <tessera/learn/knn_index.hpp>
#include <tessera/learn/logistic.hpp>
#include <tessera/learn/metrics.hpp>
#include <tessera/learn/model_selection.hpp>
#include <tessera/learn/scaler.hpp>
#include <tessera/learn/svm.hpp>

// input and output
#include <tessera/io/csv_reader.hpp>
#include <tessera/io/csv_writer.hpp>
#include <tessera/io/extxyz.hpp>
#include <tessera/io/extxyz_writer.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/io/lammps_dump_writer.hpp>
#include <tessera/io/npy_writer.hpp>
#include <tessera/io/trajectory_reader.hpp>
