var m="deepseek/deepseek-r1-0528",t="Docs Portal",k="sales-copilot";
