performance.mark("skyport:listed");
