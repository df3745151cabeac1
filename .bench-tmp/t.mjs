const t0=performance.now();
const y=await import('yaml'); const t1=performance.now();
const z=await import('zod'); const t2=performance.now();
const c=await import('commander'); const t3=performance.now();
const l=await import('../dist/config/load.js'); const t4=performance.now();
const fs=await import('node:fs');
const txt=fs.readFileSync('deploy.example.yml','utf8');
for (let i=0;i<3;i++){const a=performance.now(); y.parseDocument(txt); console.log('parseDocument', (performance.now()-a).toFixed(1));}
console.log({yaml:t1-t0,zod:t2-t1,commander:t3-t2,load:t4-t3});
