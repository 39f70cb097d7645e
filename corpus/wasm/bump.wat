;; A correct allocator that never reuses memory: every block comes from the
;; break, and free does nothing. Its memory is its own (exported), declared
;; with 2 pages and a 65536-page maximum, and grows through
;; env.emscripten_resize_heap.
(module
  (import "env" "emscripten_resize_heap" (func $resize (param i32) (result i32)))
  (memory (export "memory") 2 65536)
  (global $break (mut i32) (i32.const 1024))

  (func $memalign (export "memalign") (param $align i32) (param $size i32) (result i32)
    (local $ptr i32) (local $end i64)
    (if (i32.lt_u (local.get $align) (i32.const 8)) (then (local.set $align (i32.const 8))))
    (if (i32.ne (i32.popcnt (local.get $align)) (i32.const 1)) (then (return (i32.const 0))))
    (local.set $ptr (i32.and (i32.add (global.get $break) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
    ;; at least one byte, so that every block has its own address
    (local.set $end (i64.add (i64.extend_i32_u (local.get $ptr))
                             (i64.extend_i32_u (select (local.get $size) (i32.const 1) (local.get $size)))))
    (if (i64.gt_u (local.get $end) (i64.const 0xffffffff)) (then (return (i32.const 0))))
    (if (i64.gt_u (local.get $end) (i64.mul (i64.extend_i32_u (memory.size)) (i64.const 65536)))
      (then (if (i32.eqz (call $resize (i32.wrap_i64 (local.get $end)))) (then (return (i32.const 0))))))
    (global.set $break (i32.wrap_i64 (local.get $end)))
    (local.get $ptr))

  (func (export "malloc") (param $size i32) (result i32)
    (call $memalign (i32.const 8) (local.get $size)))

  (func (export "free") (param $ptr i32)))
