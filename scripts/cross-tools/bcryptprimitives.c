/*
 * Test rig only, never shipped: Wine 8 has no bcryptprimitives.dll, whose
 * ProcessPrng Rust's standard library calls for randomness on Windows (real
 * Windows 10 and 11 have it). Without it a Rust program under Wine exits at
 * once with STATUS_DLL_NOT_FOUND (c0000135) and no output. scripts/cross
 * builds this DLL with mingw-w64 and puts it beside loova.exe only in the
 * Wine test's own folder. The bytes come from RtlGenRandom (advapi32's
 * SystemFunction036), the generator Windows had before ProcessPrng.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Like the real one it never fails for valid arguments; RtlGenRandom takes
 * a ULONG length, so larger requests go in pieces. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
