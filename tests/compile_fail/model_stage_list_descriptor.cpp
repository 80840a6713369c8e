// EXPECT: every inner descriptor must be per-particle
// A model_stage runs its descriptors inside one particle's row: a whole-list descriptor
// (Lechner–Dellago averages need every neighbour's q_lm first) cannot be one of them.
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/learn/model_stage.hpp>

tessera::model_stage<tessera::learned_row_model, tessera::steinhardt_average> bad(tessera::learned_row_model{},
                                                                                  tessera::steinhardt_average{});
