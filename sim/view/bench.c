/* vmview-bench: placeholder until the benchmark lands (next commit). */
#include <stdio.h>
int main(void)
{
    fputs("vmview-bench: not written yet\n", stderr);
    return 1;
}
