;; A correct allocator: first fit over a free list, no splitting, no
;; merging; a block that fits nothing on the list comes from the break.
;; Each block has an 8-byte header before its payload: its capacity (a
;; multiple of 8) and, while it is free, the next free block's header.
;; The memory is imported (as sqlite3.wasm's is), and the break grows it
;; through env.emscripten_resize_heap, as Emscripten's sbrk does.
(module
  (import "env" "memory" (memory 1 65536))
  (import "env" "emscripten_resize_heap" (func $resize (param i32) (result i32)))
  (global $break (mut i32) (i32.const 1024))
  (global $free (mut i32) (i32.const 0))  ;; header of the first free block, 0: none

  ;; A header at the break with room for `capacity` bytes after it, the break
  ;; moved past it (the memory grown if needed); 0 if the memory cannot grow.
  (func $fromBreak (param $capacity i32) (param $align i32) (result i32)
    (local $payload i32) (local $end i64)
    ;; the payload aligned, the header right before it
    (local.set $payload
      (i32.and (i32.add (i32.add (global.get $break) (i32.const 8)) (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i64.add (i64.extend_i32_u (local.get $payload)) (i64.extend_i32_u (local.get $capacity))))
    (if (i64.gt_u (local.get $end) (i64.const 0xffffffff)) (then (return (i32.const 0))))
    (if (i64.gt_u (local.get $end) (i64.mul (i64.extend_i32_u (memory.size)) (i64.const 65536)))
      (then (if (i32.eqz (call $resize (i32.wrap_i64 (local.get $end)))) (then (return (i32.const 0))))))
    (i32.store (i32.sub (local.get $payload) (i32.const 8)) (local.get $capacity))
    (global.set $break (i32.wrap_i64 (local.get $end)))
    (local.get $payload))

  (func $capacityOf (param $size i32) (result i32)
    (if (i32.gt_u (local.get $size) (i32.const 0x7ffffff0)) (then (return (i32.const -1))))
    (i32.and (i32.add (select (local.get $size) (i32.const 1) (local.get $size)) (i32.const 7)) (i32.const -8)))

  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $capacity i32) (local $prev i32) (local $block i32)
    (local.set $capacity (call $capacityOf (local.get $size)))
    (if (i32.eq (local.get $capacity) (i32.const -1)) (then (return (i32.const 0))))
    ;; first fit on the free list: the block is unlinked
    (local.set $block (global.get $free))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $block)))
        (if (i32.ge_u (i32.load (local.get $block)) (local.get $capacity))
          (then
            (if (local.get $prev)
              (then (i32.store offset=4 (local.get $prev) (i32.load offset=4 (local.get $block))))
              (else (global.set $free (i32.load offset=4 (local.get $block)))))
            (i32.store offset=4 (local.get $block) (i32.const 0))
            (return (i32.add (local.get $block) (i32.const 8)))))
        (local.set $prev (local.get $block))
        (local.set $block (i32.load offset=4 (local.get $block)))
        (br $next)))
    (call $fromBreak (local.get $capacity) (i32.const 8)))

  (func $memalign (export "memalign") (param $align i32) (param $size i32) (result i32)
    (local $capacity i32)
    (local.set $capacity (call $capacityOf (local.get $size)))
    (if (i32.eq (local.get $capacity) (i32.const -1)) (then (return (i32.const 0))))
    (if (i32.lt_u (local.get $align) (i32.const 8)) (then (local.set $align (i32.const 8))))
    (if (i32.ne (i32.popcnt (local.get $align)) (i32.const 1)) (then (return (i32.const 0))))
    (call $fromBreak (local.get $capacity) (local.get $align)))

  (func $free (export "free") (param $ptr i32)
    (local $block i32)
    (if (i32.eqz (local.get $ptr)) (then (return)))
    (local.set $block (i32.sub (local.get $ptr) (i32.const 8)))
    (i32.store offset=4 (local.get $block) (global.get $free))
    (global.set $free (local.get $block))))
